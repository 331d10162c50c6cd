import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PFileTransfer
import SNaP2PWire

/// `snap2p send`: offers files to a peer running `snap2p receive`, one stream each, sends them
/// with a progress bar, and succeeds once the receiver confirmed each file's SHA-256 and stored it.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send files to a peer running `snap2p receive`.",
        discussion: """
            Dials HOST:PORT and, for each FILE in turn on a stream of its own, hashes it (SHA-256), \
            offers it (name, size, hash) and, once the receiver accepts, sends it. If the receiver \
            kept part of the same file from an interrupted send by the same identity, only the rest \
            is sent. A file is done when the receiver confirmed the hash and stored it; a refused or \
            failed file does not stop the others. At a terminal a progress bar shows bytes, rate and \
            time left; otherwise a line every few seconds (--json: progress events).

            The identity is a fresh throwaway one unless --wallet names a stored wallet: a receiver \
            that admits you with --accept-from, or resumes your interrupted sends, knows you by it.

            Examples:
              snap2p send report.pdf 10.0.0.2:9000
              snap2p send photos/*.jpg 10.0.0.2:9000
              snap2p send backup.tar 10.0.0.2:9000 --wallet me
              snap2p send video.mp4 127.0.0.1:9000 --json
              snap2p send notes.txt stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7 --via 10.0.0.3:9001

            Exit status: 0 every file sent and verified, 1 a file cannot be read, 2 nothing to \
            connect to, 3 the handshake failed, 4 the wallet could not be unlocked, 5 the session \
            broke, 7 the receiver refused a file, 8 the receiver got a file but could not verify it, \
            9 nobody asked (--via) knew the principal, 64 invalid arguments. With several files the most serious outcome decides (5, 8, 1, 7).
            """
    )

    @Argument(help: ArgumentHelp(
        "The files to send, then the receiver: host:port, [ipv6]:port, or a stacks: principal (with --via).",
        valueName: "file... host:port|principal"))
    var operands: [String]

    @OptionGroup var viaOptions: ViaOptions

    @OptionGroup var upgradeWait: UpgradeWaitOptions

    @Flag(help: "Use a testnet identity (ST... principals); both sides must agree.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: connected, accepted, progress, done, error).")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    private var files: [String] { Array(operands.dropLast()) }
    private var target: String { operands.last ?? "" }

    func validate() throws {
        guard operands.count >= 2 else { throw ValidationError("give the FILE(s) to send, then HOST:PORT") }
        try viaOptions.validate(target: try DialTarget(parsing: target).refusingRelay(in: "send"))
    }

    func run() async throws {
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw CommandFailure(
                    "no file at \(file)", hint: isDirectory.boolValue ? "send the files in it, or an archive of it" : nil
                ).exit(json: json)
            }
        }
        let peer = Peer(
            wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json),
            configuration: PeerConfiguration(network: testnet ? .testnet : .mainnet))
        let clock = ContinuousClock()
        let start = clock.now
        let connection: Connection
        do {
            if case .principal(let principal) = try DialTarget(parsing: target) {
                let dialing = PrincipalDialing(peer: peer, via: viaOptions.via, output: PeerEventOutput(json: json))
                connection = try await dialing.dial(principal, inviteToken: nil, listenCommand: "receive")
            } else {
                connection = try await peer.dial(target)
            }
        } catch let failure as CommandFailure {
            throw failure.exit(json: json)
        } catch {
            throw CommandFailure.dialing(error, address: target, localPrincipal: peer.principal, usedToken: false, listenCommand: "receive")
                .exit(json: json)
        }
        announce(connection, handshakeTime: clock.now - start)
        // Each file's stream stays on the path it opens on: over a relay, give the direct upgrade its chance first.
        if connection.path.isRelayed {
            let output = PeerEventOutput(json: json)
            output.relayed(connection)
            if upgradeWait.upgradeSeconds > 0 { output.upgrade(of: connection, ended: await upgradeWait.outcome(of: connection)) }
        }
        var statuses: [ExitStatus] = []
        for file in files {
            let status = await send(file, over: connection)
            statuses.append(status)
            if status == .sessionLost { break }
        }
        await connection.close()
        if let status = ExitStatus.mostSerious(statuses), status != .success { throw ExitCode(status.rawValue) }
    }

    /// Sends one file and reports it; returns how it went.
    private func send(_ file: String, over connection: Connection) async -> ExitStatus {
        let remote = connection.remotePrincipal.description
        let clock = ContinuousClock()
        let start = clock.now
        let display = TransferProgressDisplay(json: json) { [json] progress in
            Self.announce(progress, to: remote, json: json)
        }
        let sent: SentFile
        do {
            sent = try await connection.sendFile(atPath: file, progress: display.update)
        } catch {
            display.clear()
            let failure = FileTransferFailure(error, name: (file as NSString).lastPathComponent, remote: remote)
            _ = failure.exit(json: json, name: (file as NSString).lastPathComponent)
            return failure.failure.status
        }
        display.clear()
        let seconds = PeerEventOutput.milliseconds(clock.now - start) / 1000
        let rate = Double(sent.size - sent.resumedFrom) / seconds
        if json {
            var event = FileEvent("done")
            event.principal = remote
            event.name = sent.name
            event.bytes = sent.size
            event.resumedFrom = sent.resumedFrom
            event.seconds = seconds
            event.megabytesPerSecond = rate / 1e6
            event.sha256 = Hex.encode(sent.sha256)
            event.print()
        } else {
            let style = TextStyle.standardOutput
            var text = style.green("Sent ") + "\(SafeFileName.printable(sent.name)) (\(TransferText.bytes(sent.size))) in "
                + String(format: "%.2f s", seconds) + " (\(TransferText.rate(bytesPerSecond: rate))"
            if sent.resumedFrom > 0 { text += ", resumed at \(TransferText.bytes(sent.resumedFrom))" }
            text += "); \(remote) verified SHA-256 \(Hex.encode(sent.sha256))"
            print(text)
            fflush(nil)
        }
        return .success
    }

    private func announce(_ connection: Connection, handshakeTime: Duration) {
        if json {
            var event = FileEvent("connected")
            event.principal = connection.remotePrincipal.description
            event.noise = connection.noiseSchedule.description
            event.handshakeMilliseconds = PeerEventOutput.milliseconds(handshakeTime)
            event.print()
        } else {
            print("Connected to \(connection.remotePrincipal) (\(connection.noiseSchedule) Noise, handshake "
                + "\(PeerEventOutput.format(PeerEventOutput.milliseconds(handshakeTime))) ms)")
            fflush(nil)
        }
    }

    /// A new phase: hashing the file, or sending it once the receiver accepted (and from where).
    private static func announce(_ progress: FileTransferProgress, to remote: String, json: Bool) {
        let name = SafeFileName.printable(progress.name)
        switch (progress.phase, json) {
        case (.hashing, false):
            print("Hashing \(name) (\(TransferText.bytes(progress.size)))")
        case (.transferring, false):
            print("Sending \(name) (\(TransferText.bytes(progress.size))) to \(remote)"
                + (progress.resumedFrom > 0 ? ", resuming at \(TransferText.bytes(progress.resumedFrom)) (the receiver kept a partial copy)" : ""))
        case (.transferring, true):
            var event = FileEvent("accepted")
            event.principal = remote
            event.name = progress.name
            event.size = progress.size
            event.resumedFrom = progress.resumedFrom
            event.print()
        case (.hashing, true):
            return
        }
        fflush(nil)
    }
}
