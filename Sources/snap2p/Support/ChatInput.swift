import Foundation

/// What the user does in a chat.
enum ChatInput: Sendable, Equatable {
    /// A message to send.
    case line(String)
    /// The user is done: `/quit`, Ctrl-C, Ctrl-D or the end of piped input.
    case leave
}

/// Standard input as chat input: key presses at an interactive prompt (the screen echoes and
/// edits them), or lines from a pipe or file. Empty lines are skipped; `/quit` leaves.
struct ChatInputSource {
    /// The command that ends the chat.
    static let quitCommand = "/quit"

    private let reader = StandardInputReader()
    private let screen: PromptScreen?
    private let output: ChatOutput
    private var keys = KeyDecoder()
    private var lines = ChatLineSplitter()
    private var pending: [ChatInput] = []
    private var ended = false

    /// Reads keys for `output`'s prompt when it is interactive, lines otherwise.
    init(output: ChatOutput) {
        self.output = output
        if case .interactive(let screen) = output.form {
            self.screen = screen
        } else {
            screen = nil
        }
    }

    /// The next thing the user did; `.leave` once input has ended (also when the task is cancelled).
    mutating func next() async -> ChatInput {
        while pending.isEmpty {
            guard !ended, let chunk = await reader.next() else {
                ended = true
                if screen == nil, let rest = lines.remainder() { pending.append(.line(rest)) }
                pending.append(.leave)
                break
            }
            if let screen {
                for input in screen.handle(keys.keys(in: chunk)) {
                    switch input {
                    case .line(let text): accept(text)
                    case .interrupt, .endOfInput: pending.append(.leave)
                    }
                }
            } else {
                for text in lines.lines(appending: chunk) { accept(text) }
            }
        }
        return pending.removeFirst()
    }

    private mutating func accept(_ text: String) {
        if text.trimmingCharacters(in: .whitespaces) == Self.quitCommand {
            pending.append(.leave)
        } else if !text.isEmpty {
            output.sent(text)
            pending.append(.line(text))
        }
    }
}
