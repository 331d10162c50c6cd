import SNaP2P

/// A chat on one `chat` stream, from the first message until either side leaves.
///
/// Leaving is a half-close (FIN), as in the reference: the side that leaves finishes its half,
/// the other side sees the end, says so, and finishes too; the leaver waits for that (at most
/// ``gracePeriod``) so the last messages in flight are shown, then closes the connection.
struct ChatConversation {
    let connection: Connection
    let stream: SNaP2PStream
    let output: ChatOutput
    /// How the remote is named in failure messages (the address dialled, or its principal).
    let remoteName: String

    /// How long a side that left waits for the other side to finish.
    static let gracePeriod = Duration.seconds(5)

    /// How the chat ended.
    enum Ending {
        /// This side left (`/quit`, Ctrl-C, Ctrl-D, end of piped input).
        case localLeft
        /// The other side left or hung up cleanly.
        case remoteLeft
        /// The session broke.
        case failed(CommandFailure)
    }

    private enum Event: Sendable {
        /// The remote finished its half (`nil`) or the stream or session ended with an error.
        case remoteEnded((any Error)?)
        case localLeft
        case sendFailed(any Error)
        case graceExpired
    }

    func run() async -> Ending {
        let remote = connection.remotePrincipal
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let stream = self.stream
        let output = self.output
        let connection = self.connection

        let refusing = Task {
            // Only the one chat stream: any other the remote opens is refused.
            for await extra in connection.incomingStreams { extra.close(error: .streamRefused) }
        }
        let receiving = Task {
            var lines = ChatLineReader(stream)
            do {
                while let line = try await lines.next() { output.message(line, from: connection) }
                sink.yield(.remoteEnded(nil))
            } catch {
                sink.yield(.remoteEnded(error))
            }
        }
        let sending = Task {
            var input = ChatInputSource(output: output)
            while true {
                switch await input.next() {
                case .line(let text):
                    do {
                        try await stream.write(ChatLineSplitter.encode(text))
                    } catch {
                        sink.yield(.sendFailed(error))
                        return
                    }
                case .leave:
                    sink.yield(.localLeft)
                    return
                }
            }
        }
        let interrupts = InterruptSignals()
        let interruptEvents = interrupts.events
        let interrupted = Task {
            for await _ in interruptEvents {
                sink.yield(.localLeft)
                return
            }
        }
        if case .interactive(let screen) = output.form { screen.showPrompt() }

        var leftFirst = false
        var ending = Ending.localLeft
        var grace: Task<Void, Never>?
        conversation: for await event in events {
            switch event {
            case .remoteEnded(nil):
                // After we left, the remote finishing is its goodbye, not news.
                ending = left(leftFirst: leftFirst)
                break conversation
            case .remoteEnded(let error?), .sendFailed(let error):
                ending = await endingAfterError(error, leftFirst: leftFirst)
                break conversation
            case .localLeft:
                guard !leftFirst else { continue }
                leftFirst = true
                sending.cancel()
                output.localLeft()
                try? await stream.finish()
                grace = Task {
                    try? await Task.sleep(for: Self.gracePeriod)
                    sink.yield(.graceExpired)
                }
            case .graceExpired:
                break conversation
            }
        }
        if !leftFirst {
            // The remote left first: finish our half too, so it sees a complete goodbye.
            sending.cancel()
            try? await stream.finish()
        }
        grace?.cancel()
        interrupted.cancel()
        interrupts.stop()
        await connection.close()
        receiving.cancel()
        refusing.cancel()
        sink.finish()
        if case .failed(let failure) = ending {
            output.closed(remote, failure: failure)
        } else {
            output.closed(remote, failure: nil)
        }
        return ending
    }

    /// The stream or session ended with `error`. A remote that closed the whole connection
    /// without an error (how the reference leaves) has left; anything else is a failure.
    private func endingAfterError(_ error: any Error, leftFirst: Bool) async -> Ending {
        var cause = error
        switch error as? SNaP2PError {
        case .streamClosed(.ok)?:
            return left(leftFirst: leftFirst)
        case .connectionClosed(.connectionClosed, _)?:
            // The reference leaves by closing the connection with the chat stream open, which
            // reads as a clean end, a plain EOF or, with data in flight, a reset (a killed peer
            // looks the same): all of them are leaving. Keepalive or decryption failures are not.
            guard let broken = await connection.closed(), broken.code != .connectionClosed else { return left(leftFirst: leftFirst) }
            cause = broken
        default:
            break
        }
        return .failed(CommandFailure.session(cause, remote: remoteName))
    }

    private func left(leftFirst: Bool) -> Ending {
        if leftFirst { return .localLeft }
        output.remoteLeft(connection)
        return .remoteLeft
    }
}
