import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PWire

/// `snap2p demo`: what SNaP2P does, in one run and one process. Two peers with throwaway
/// identities authenticate each other over 127.0.0.1, chat on a stream, move a file-sized
/// block of bytes on another, and close cleanly. `make demo` runs it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Watch two local peers authenticate, chat, transfer a file and close (no setup needed).",
        discussion: """
            Runs a listener ("alice") and a dialer ("bob") inside this process on 127.0.0.1, each with \
            a fresh throwaway Stacks identity: the handshake and who proved what, a few chat messages \
            both ways on a stream labelled "chat", a bulk transfer on a second stream (every byte \
            checked) with its speed, and a clean close. Ends with the commands to try next.

            Examples:
              snap2p demo
              snap2p demo --testnet --megabytes 512
              snap2p demo --discovery       # three peers: carol reaches alice by principal through bob
              NO_COLOR=1 snap2p demo > demo.txt

            Exit status: 0 when every step succeeded, 1 otherwise (the failing step is named).
            """
    )

    @Flag(help: "Use testnet identities (ST... principals) instead of mainnet (SP...).")
    var testnet = false

    @Option(help: "Size of the bulk transfer in MiB (1-4096).")
    var megabytes = 64

    @Flag(help: "Show PX-1 discovery instead: carol dials alice by her principal alone, through bob.")
    var discovery = false

    func validate() throws {
        guard (1...4096).contains(megabytes) else { throw ValidationError("--megabytes must be between 1 and 4096") }
    }

    /// The chat of step 4: who says what, in order.
    private static let script: [(fromBob: Bool, text: String)] = [
        (true, "Hi alice! Is this really you?"),
        (false, "It is: my wallet signed the key of this session. Hi bob!"),
        (true, "Great. Sending you a file on another stream now."),
    ]

    func run() async throws {
        var demo = DemoTranscript(style: .standardOutput)
        do {
            if discovery {
                try await runDiscovery(&demo)
            } else {
                try await run(&demo)
            }
        } catch {
            throw CommandFailure("the demo failed at step \(demo.step): \(error)").exit()
        }
    }

    private func run(_ demo: inout DemoTranscript) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let network: StacksNetwork = testnet ? .testnet : .mainnet
        let alice = Peer(configuration: PeerConfiguration(network: network))
        let bob = Peer(configuration: PeerConfiguration(network: network))
        let style = demo.style
        let aliceName = style.bold(style.magenta("alice"))
        let bobName = style.bold(style.blue("bob"))

        demo.title()
        demo.begin("Two fresh throwaway identities (\(network))")
        demo.line("\(aliceName)  \(style.cyan(alice.principal.description))")
        demo.line("\(bobName)    \(style.cyan(bob.principal.description))")

        demo.begin("\(aliceName) opens a listener")
        let listener = try await alice.listen(host: "127.0.0.1", port: 0)
        demo.line("on 127.0.0.1:\(listener.port) (public: any identity may dial)")

        demo.begin("\(bobName) dials \(aliceName): Noise XX handshake, each side proves its identity")
        async let accepted: Connection? = {
            var connections = listener.makeAsyncIterator()
            return await connections.next()
        }()
        let dialed = clock.now
        let bobSide = try await bob.dial("127.0.0.1:\(listener.port)")
        let handshakeTime = clock.now - dialed
        guard let aliceSide = await accepted else { throw DemoFailure("alice's listener closed before bob arrived") }
        await listener.close()
        guard aliceSide.remotePrincipal == bob.principal, bobSide.remotePrincipal == alice.principal else {
            throw DemoFailure("a peer saw the wrong principal")
        }
        demo.line("\(style.green("✓")) \(aliceName) authenticated \(bobName) as \(style.cyan(aliceSide.remotePrincipal.description))")
        demo.line("\(style.green("✓")) \(bobName) authenticated \(aliceName) as \(style.cyan(bobSide.remotePrincipal.description))")
        let session = Hex.encode(Array(bobSide.sessionID.prefix(4)))
        demo.line(style.dim("handshake \(PeerEventOutput.format(PeerEventOutput.milliseconds(handshakeTime))) ms, session \(session)…, "
            + "flow control \(bobSide.isFlowControlled ? "on" : "off")"))

        demo.begin("Chat on a stream labelled \"\(ChatLineSplitter.streamLabel)\"")
        let bobChat = try await bobSide.openStream(label: ChatLineSplitter.streamLabel)
        // Bob's stream reaches alice when his first message does.
        var aliceStreams = aliceSide.incomingStreams.makeAsyncIterator()
        var aliceChat: SNaP2PStream?
        var aliceLines: ChatLineReader?
        var bobLines = ChatLineReader(bobChat)
        for (fromBob, text) in Self.script {
            if fromBob {
                try await bobChat.write(ChatLineSplitter.encode(text))
                if aliceChat == nil {
                    guard let stream = await aliceStreams.next(), stream.label == ChatLineSplitter.streamLabel else {
                        throw DemoFailure("alice did not get bob's chat stream")
                    }
                    aliceChat = stream
                    aliceLines = ChatLineReader(stream)
                }
                guard try await aliceLines?.next() == text else { throw DemoFailure("alice received something else") }
                demo.line("\(bobName)   \(style.dim("›")) \(text)")
            } else {
                try await aliceChat?.write(ChatLineSplitter.encode(text))
                guard try await bobLines.next() == text else { throw DemoFailure("bob received something else") }
                demo.line("\(aliceName) \(style.dim("›")) \(text)")
            }
        }

        demo.begin("Bulk transfer on a second stream")
        let payload = EchoPayload.deterministic(count: megabytes << 20)
        let bobFile = try await bobSide.openStream(label: "file")
        let transferStarted = clock.now
        async let sent: Void = payload.send(on: bobFile)
        guard let aliceFile = await aliceStreams.next() else { throw DemoFailure("alice did not get bob's file stream") }
        try await payload.verifyEcho(on: aliceFile)
        try await sent
        let seconds = PeerEventOutput.milliseconds(clock.now - transferStarted) / 1000
        demo.line("\(megabytes) MiB from \(bobName) to \(aliceName) in \(PeerEventOutput.format(seconds)) s: "
            + style.bold("\(PeerEventOutput.format(Double(payload.count) / seconds / 1e6)) MB/s")
            + style.dim(", every byte checked"))

        demo.begin("\(bobName) leaves the chat and closes the session")
        try await bobChat.finish()
        guard try await aliceLines?.next() == nil else { throw DemoFailure("alice received more than the chat") }
        demo.line("\(style.green("✓")) \(aliceName) saw \(bobName) finish the chat")
        await bobSide.close()
        if let error = await aliceSide.closed() { throw DemoFailure("alice saw the session end with an error: \(error)") }
        demo.line("\(style.green("✓")) \(aliceName) saw the session close cleanly")

        let total = PeerEventOutput.milliseconds(clock.now - began) / 1000
        demo.finish(seconds: total)
    }
}

/// A demo step that did not go as it must.
struct DemoFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The demo's output: numbered steps with indented details, then what to try next.
struct DemoTranscript {
    let style: TextStyle
    private(set) var step = 0

    init(style: TextStyle) {
        self.style = style
    }

    func title() {
        print(style.bold("SNaP2P demo") + ": two peers in one process, talking over 127.0.0.1.")
        print(style.dim("Each peer proves a Stacks address; everything after the handshake is encrypted."))
        fflush(nil)
    }

    mutating func begin(_ title: String) {
        step += 1
        print("\n" + style.bold(style.yellow("\(step)")) + "  " + style.bold(title))
        fflush(nil)
    }

    func line(_ text: String) {
        print("   " + text)
        fflush(nil)
    }

    func finish(seconds: Double) {
        let name = Invocation.name
        print("\n" + style.green(style.bold("Done")) + " in \(PeerEventOutput.format(seconds)) s.\n")
        print(style.bold("Try it yourself:"))
        print("  Chat between two terminals:")
        let listen = "\(name) chat --listen 9000"
        let dial = "\(name) chat 127.0.0.1:9000"
        print("    " + listen.padding(toLength: dial.count + 3, withPad: " ", startingAt: 0) + style.dim("# terminal 1"))
        print("    " + dial.padding(toLength: dial.count + 3, withPad: " ", startingAt: 0) + style.dim("# terminal 2"))
        print("  Use your own Stacks identity (a 24-word wallet, stored encrypted):")
        print("    \(name) wallet create --name me")
        print("    \(name) chat --listen 9000 --wallet me")
        print("  Or choose, create or unlock one interactively:  \(name) signin")
        print("  Reach a peer by its principal through a peer you both know (PX-1, docs/PX-1.md):")
        print("    \(name) listen 9001 --connect ALICE-HOST:9000   " + style.dim("# bob keeps a session with alice"))
        print("    \(name) chat stacks:SP… --via BOB-HOST:9001      " + style.dim("# carol finds alice through bob"))
        print("  Everything else:  \(name) --help   (docs/CLI.md)")
        fflush(nil)
    }
}
