import ArgumentParser
import Foundation
import SNaP2P
import SNaP2PWire

/// `snap2p chat`: two people (or scripts) exchanging lines over an authenticated, encrypted
/// session, on a stream labelled `chat` (the reference's chat speaks the same format).
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with another peer over an encrypted session, line by line.",
        discussion: """
            One side waits with --listen PORT (and accepts one peer); the other dials HOST:PORT. Each \
            side sees the other's proven Stacks principal. At a terminal, messages appear above the \
            line you are typing; /quit, Ctrl-D or Ctrl-C leaves, and the other side is told. With a \
            pipe, each input line is sent, received lines go to standard output as they are and \
            notices to standard error; at the end of input the chat ends.

            The identity is a fresh throwaway one unless --wallet names a stored wallet (see \
            `snap2p wallet create`); its password comes from SNAP2P_PASSWORD, --password-file or a \
            hidden prompt.

            Examples:
              snap2p chat --listen 9000                     # terminal 1
              snap2p chat 127.0.0.1:9000                    # terminal 2
              snap2p chat --listen 9000 --wallet main       # as your own identity
              snap2p chat --listen 9000 --stealth           # prints an invite token
              snap2p chat 10.0.0.2:9000 --token 6f1c...     # dial a stealth listener
              echo "build finished" | snap2p chat 10.0.0.2:9000
              snap2p chat --listen 0 --host 127.0.0.1 --json   # events for scripts

            Exit status: 0 when either side ended the chat, 2 nothing to connect to (or the port is \
            taken), 3 the handshake failed (not allowed, wrong token, other network), 4 the wallet \
            could not be unlocked, 5 the session broke, 64 invalid arguments.
            """
    )

    @Argument(help: ArgumentHelp(
        "The peer to dial: host:port, [ipv6]:port, or a stacks: principal (found through --via).", valueName: "host:port|principal"))
    var address: String?

    @OptionGroup var viaOptions: ViaOptions

    @OptionGroup var upgradeWait: UpgradeWaitOptions

    @Option(help: ArgumentHelp("Wait for one peer on this port instead of dialling (0: any free port, printed).", valueName: "port"))
    var listen: Int?

    @Option(help: ArgumentHelp("With --listen: the address to bind (default 0.0.0.0, every interface).", valueName: "host"))
    var host: String?

    @Flag(help: "With --listen: admit only dialers with an invite token (printed unless --token gives it).")
    var stealth = false

    @Option(help: ArgumentHelp("The invite token (hex): to dial a stealth listener, or for --stealth to accept.", valueName: "hex"))
    var token: String?

    @Option(help: NoisePolicyOption.help)
    var noise = NoisePolicyOption.preferStandard

    @Flag(help: "Use a testnet identity (ST... principals); both sides must agree.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: ready, connected, message, left, closed, error); read lines to send from standard input.")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    @OptionGroup var aliasOptions: AliasOptions

    @OptionGroup var keepaliveOptions: KeepaliveOptions

    func validate() throws {
        guard (address == nil) != (listen == nil) else {
            throw ValidationError("give either HOST:PORT to dial or --listen PORT to wait, not both or neither")
        }
        if let listen, !(0...65535).contains(listen) { throw ValidationError("--listen must be a port from 0 to 65535") }
        if listen == nil && host != nil { throw ValidationError("--host is for --listen") }
        if listen == nil && stealth { throw ValidationError("--stealth is for --listen") }
        if listen != nil && token != nil && !stealth { throw ValidationError("--token with --listen needs --stealth") }
        if let token { _ = try PeerEventOutput.decodeToken(token) }
        if let address { try viaOptions.validate(target: try DialTarget(parsing: address).refusingRelay(in: "chat")) }
        if listen != nil && !viaOptions.via.isEmpty { throw ValidationError("--via is for dialing a stacks: principal") }
    }

    func run() async throws {
        let output = ChatOutput.make(json: json)
        do {
            let wallet = try walletOptions.unlock(testnet: testnet)
            let configuration = try peerConfiguration(network: wallet?.network ?? (testnet ? .testnet : .mainnet))
            let peer = Peer(wallet: wallet, configuration: configuration.configuration)
            let (connection, stream, remoteName) = if let listen {
                try await accept(peer: peer, port: listen, token: configuration.printedToken, output: output)
            } else {
                try await dial(peer: peer, address: address ?? "", output: output)
            }
            let terminal: RawTerminalMode? = if case .interactive = output.form { RawTerminalMode() } else { nil }
            let ending = await ChatConversation(connection: connection, stream: stream, output: output, remoteName: remoteName).run()
            terminal?.restore()
            if case .failed(let failure) = ending { throw failure }
        } catch let failure as CommandFailure {
            throw failure.exit(json: json)
        }
    }

    /// The peer's settings; for a stealth listener also the token to print (when generated).
    private func peerConfiguration(network: StacksNetwork) throws -> (configuration: PeerConfiguration, printedToken: String?) {
        let tokens = InviteTokenStore()
        var printedToken: String?
        if stealth {
            if let token {
                do { try tokens.add(try PeerEventOutput.decodeToken(token)) } catch { throw CommandFailure("--token: \(error)") }
            } else {
                printedToken = Hex.encode(tokens.issue())
            }
        }
        let configuration = PeerConfiguration(
            network: network, visibility: stealth ? .stealth : .public, inviteTokens: tokens,
            keepalive: keepaliveOptions.keepalive, noisePolicy: noise.policy,
            alias: try aliasOptions.resolve(wallet: walletOptions.wallet, store: walletOptions.storeOptions.store))
        return (configuration, printedToken)
    }

    private func dial(peer: Peer, address: String, output: ChatOutput) async throws -> (Connection, SNaP2PStream, String) {
        output.connecting(to: address, as: peer.principal)
        let clock = ContinuousClock()
        let start = clock.now
        let connection: Connection
        let inviteToken = try token.map(PeerEventOutput.decodeToken)
        if case .principal(let principal) = try DialTarget(parsing: address) {
            let dialing = PrincipalDialing(peer: peer, via: viaOptions.via, output: PeerEventOutput(json: json))
            connection = try await dialing.dial(principal, inviteToken: inviteToken, listenCommand: "chat --listen")
        } else {
            do {
                connection = try await peer.dial(address, inviteToken: inviteToken)
            } catch {
                throw CommandFailure.dialing(error, address: address, localPrincipal: peer.principal, usedToken: token != nil)
            }
        }
        output.connected(connection, from: nil, handshakeTime: clock.now - start)
        // The chat stream stays on the path it opens on: over a relay, give the direct upgrade its chance first.
        if connection.path.isRelayed, upgradeWait.upgradeSeconds > 0 {
            output.upgrade(of: connection, ended: await upgradeWait.outcome(of: connection))
        }
        do {
            return (connection, try await connection.openStream(label: ChatLineSplitter.streamLabel), address)
        } catch {
            throw CommandFailure.session(error, remote: address)
        }
    }

    /// Waits for one peer, then for the chat stream it opens. Stops listening once it is connected.
    private func accept(peer: Peer, port: Int, token: String?, output: ChatOutput) async throws -> (Connection, SNaP2PStream, String) {
        let host = self.host ?? "0.0.0.0"
        let listener: Listener
        do {
            listener = try await peer.listen(host: host, port: port)
        } catch {
            throw CommandFailure.listening(error, host: host, port: port)
        }
        output.ready(host: listener.host, port: listener.port, principal: peer.principal, token: token, testnet: testnet)
        var connections = listener.makeAsyncIterator()
        guard let connection = await connections.next() else { throw CommandFailure("the listener stopped before anyone connected") }
        await listener.close()
        let remoteName = connection.remotePrincipal.description
        output.connected(connection, from: connection.remoteAddress, handshakeTime: nil)
        var streams = connection.incomingStreams.makeAsyncIterator()
        while let stream = await streams.next() {
            if stream.label == ChatLineSplitter.streamLabel { return (connection, stream, remoteName) }
            stream.close(error: .streamRefused)
        }
        if let error = await connection.closed() { throw CommandFailure.session(error, remote: remoteName) }
        output.remoteLeft(connection)
        throw ExitCode.success
    }
}
