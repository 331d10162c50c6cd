import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PFileTransfer
import SNaP2PWire

/// `snap2p receive`: waits for `snap2p send`, shows who offers what, asks (unless told whom to
/// accept), and stores each verified file in a directory.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Wait for a peer to send files with `snap2p send`.",
        discussion: """
            Prints this peer's principal and port, then waits for one sender (--keep: any number, \
            until Ctrl-C). Each offer shows the sender's proven principal, the file's name and size, \
            and is accepted when --yes is given or the sender is in --accept-from; otherwise you are \
            asked at the terminal, and without a terminal it is refused. An accepted file is written \
            to DIR/NAME.partial, checked against the sender's SHA-256 and then renamed to NAME; a \
            name that is taken becomes NAME (1) unless --overwrite. The name is reduced to a plain \
            file name (no directories, no control characters, no leading dots). If a send is \
            interrupted, the .partial stays and the same sender's next send of the same file resumes it.

            Examples:
              snap2p receive 9000                              # then: snap2p send FILE HOST:9000
              snap2p receive 9000 --dir ~/Downloads --accept-from stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
              snap2p receive 0 --host 127.0.0.1 --yes --json   # scripts: events, any free port

            Exit status: 0 every offered file was received and verified, 1 the directory cannot be \
            used, 2 the port cannot be listened on, 4 the wallet could not be unlocked, 5 a transfer \
            was cut off (its .partial stays, resumable), 7 a file was refused, 8 a file did not \
            verify (hash mismatch, truncated or too long), 64 invalid arguments.
            """
    )

    @Argument(help: "The port (0: any free port, printed when ready).")
    var port = 0

    @Option(help: ArgumentHelp("The address to bind.", valueName: "host"))
    var host = "0.0.0.0"

    @Option(help: ArgumentHelp("Where received files go (default: the current directory).", valueName: "dir"))
    var dir = "."

    @Option(help: ArgumentHelp("Accept files from this principal without asking (repeatable).", valueName: "principal"))
    var acceptFrom: [String] = []

    @Flag(help: "Accept every file without asking.")
    var yes = false

    @Flag(help: "Replace an existing file of the same name instead of picking NAME (1).")
    var overwrite = false

    @Flag(help: "Keep receiving from any number of senders until stopped (Ctrl-C).")
    var keep = false

    @Flag(help: "Use a testnet identity (ST... principals) and accept only testnet peers.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: ready, reserved, connected, relayed, upgraded, upgrade_failed, offer, accepted, refused, progress, done, error).")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    @Option(help: ArgumentHelp(
        "Also reserve a slot on this relay (snap2p relay) and receive through it like directly: senders reach "
            + "this peer by principal through it (send FILE stacks:... --via HOST:PORT). Reconnects with backoff.",
        valueName: "host:port"))
    var relay: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("PORT must be from 0 to 65535") }
        if let relay, (try? PeerAddress(parsing: relay)) == nil {
            throw ValidationError("--relay must be HOST:PORT, e.g. relay.example.org:9100")
        }
        for text in acceptFrom {
            do { _ = try Principal(text) } catch { throw ValidationError("--accept-from \(text): \(error)") }
        }
    }

    func run() async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: dir)
        else {
            throw CommandFailure("\(dir) is not a directory this user can write to", hint: "create it, or pick another with --dir")
                .exit(json: json)
        }
        let directory = ReceiveDirectory(path: URL(fileURLWithPath: dir).standardizedFileURL.path, overwrite: overwrite)
        let admission = FileAdmission(yes: yes, acceptFrom: Set(try acceptFrom.map { try Principal($0) }))
        let tally = TransferTally()
        var configuration = PeerConfiguration(network: testnet ? .testnet : .mainnet)
        configuration.streamProtocols.register(FileTransferProtocol.streamLabel) { [json] stream, connection in
            let report = ReceiveReport(json: json, sender: connection.remotePrincipal)
            let receiver = FileReceiver(directory: directory, decide: admission.decide) { event in
                report.show(event)
                tally.record(event)
            }
            await tally.running { await receiver.receive(stream, from: connection) }
        }
        let peer = Peer(wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json), configuration: configuration)
        let listener: Listener
        do {
            listener = try await peer.listen(host: host, port: port)
        } catch {
            throw CommandFailure.listening(error, host: host, port: port).exit(json: json)
        }
        ready(listener: listener, principal: peer.principal, directory: directory)
        let output = PeerEventOutput(json: json)
        // Direct connections and, with --relay, relayed ones, in the order they come. Without
        // --keep, a relayed one that comes after the first waits unserved until the exit.
        let (arrivals, arrival) = AsyncStream.makeStream(of: Connection.self)
        let accepting = Task {
            for await connection in listener { arrival.yield(connection) }
        }
        let reserving = relay.map { address in
            Task { await RelayReservationLoop(peer: peer, relayAddress: address, output: output) { arrival.yield($0) }.run() }
        }
        defer {
            accepting.cancel()
            reserving?.cancel()
        }
        if keep {
            await withDiscardingTaskGroup { group in
                for await connection in arrivals {
                    group.addTask { await Self.serve(connection, output: output, tally: tally) }
                }
            }
            return
        }
        var connections = arrivals.makeAsyncIterator()
        guard let connection = await connections.next() else { throw CommandFailure("the listener stopped").exit(json: json) }
        await listener.close()
        let end = await Self.serve(connection, output: output, tally: tally)
        guard let status = tally.exitStatus() else {
            throw CommandFailure(
                "\(connection.remotePrincipal) left without sending a file" + (end.map { " (\($0))" } ?? ""),
                status: end == nil ? .failure : .sessionLost
            ).exit(json: json)
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    private func ready(listener: Listener, principal: Principal, directory: ReceiveDirectory) {
        let path = directory.path
        if json {
            var event = FileEvent("ready")
            event.principal = principal.description
            event.host = listener.host
            event.port = listener.port
            event.path = path
            event.print()
        } else {
            print("Waiting for files on \(listener.host):\(listener.port) as \(principal), saving into \(path)")
            print(TextStyle.standardOutput.dim("Send with: \(Invocation.name) send FILE HOST:\(listener.port)"))
            fflush(nil)
        }
    }

    /// Shows a sender arriving and leaving; its files are served by the registered protocol, and
    /// any other stream is refused. Returns, once its transfers are done too, how the session ended.
    @discardableResult
    private static func serve(_ connection: Connection, output: PeerEventOutput, tally: TransferTally) async -> SNaP2PError? {
        output.connected(connection, from: connection.remoteAddress, handshakeTime: nil)
        let upgrade = connection.path.isRelayed ? Task { output.upgrade(of: connection, ended: await connection.directUpgrade()) } : nil
        defer { upgrade?.cancel() }
        for await stream in connection.incomingStreams { stream.close(error: .streamRefused) }
        let end = await connection.closed()
        await tally.idle()
        output.closed(principal: connection.remotePrincipal, error: end)
        return end
    }
}
