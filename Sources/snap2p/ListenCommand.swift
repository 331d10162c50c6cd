import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import Prometheus
import SNaP2P
import SNaP2PWire
import ServiceLifecycle
import UnixSignals

/// `snap2p listen`: an echo server. Every stream's bytes go back as they arrive and a finished
/// stream is finished in turn, so `snap2p dial` (or any peer) can check a session end to end.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Accept sessions on a port and echo every stream.",
        discussion: """
            Prints this peer's principal, then one line per connection and disconnection. The \
            identity is a fresh throwaway one unless --wallet names a stored wallet. --allow makes the listener private (only the listed \
            principals get in); --stealth additionally demands an invite token before any handshake \
            (one is generated and printed unless --token gives it). An address that opens more \
            connections than --rate-limit allows is disconnected at once, before any handshake.

            SIGTERM or SIGINT drains: the port stops accepting, open streams get --drain-seconds to \
            finish (a session closes as soon as it has none), then the sessions left are closed with \
            CONNECTION_CLOSED and the process exits 0. A second signal closes them at once. \
            --metrics serves Prometheus metrics (docs/METRICS.md) at http://HOST:PORT/metrics.

            --connect keeps a session with another peer (reconnecting after 1 s, doubling to 30 s) and \
            echoes its streams too. Over every session PX-1 runs (docs/PX-1.md): a public listener tells \
            its peers where it listens, and answers where the peers it knows listen, so \
            `snap2p dial stacks:… --via THIS-LISTENER` reaches them. `ready` is printed once the first \
            --connect attempts are done.

            --simultaneous-open HOST:PORT accepts nothing: it opens one session by TCP hole \
            punching from PORT toward the remote's public address (HOST:PORT) while the remote, the \
            one --allow principal, runs `dial --simultaneous-open` toward ours; it echoes that \
            session's streams and exits when it ends (docs/NAT-TRAVERSAL.md).

            Examples:
              snap2p listen 9000
              snap2p listen 0 --host 127.0.0.1 --testnet --json
              snap2p listen 9000 --metrics 127.0.0.1:9100 --drain-seconds 30
              snap2p listen 9000 --stealth --allow stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
              snap2p listen 9000 --stealth --rate-limit 20/60
              snap2p listen 9000 --rate-limit off --keepalive-interval 5 --keepalive-timeout 5
              snap2p listen 9001 --connect 10.0.0.2:9000 --connect 10.0.0.3:9000
              snap2p listen 9000 --relay relay.example.org:9100
              snap2p listen 41000 --simultaneous-open 203.0.113.11:40000 --allow stacks:ST...
            """
    )

    @Argument(help: "The port (0: any free port, printed when ready).")
    var port: Int

    @Option(help: "The address to bind.")
    var host = "0.0.0.0"

    @Flag(help: "Use a testnet identity (ST... principals) and accept only testnet peers.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: ready, connected, connect_failed, handshake_failed, closed, draining, stopped).")
    var json = false

    @Option(help: ArgumentHelp("Serve Prometheus metrics at http://HOST:PORT/metrics (port 0: any free port).", valueName: "host:port"))
    var metrics: String?

    @Option(help: ArgumentHelp("On SIGTERM or SIGINT, how long open streams may finish before their sessions are closed.", valueName: "seconds"))
    var drainSeconds = 10

    @OptionGroup var walletOptions: WalletUnlockOptions

    @OptionGroup var aliasOptions: AliasOptions

    @Flag(help: "Reveal nothing to dialers without an invite token.")
    var stealth = false

    @Option(help: ArgumentHelp("The invite token to accept (hex, 16-32 bytes); generated when omitted.", valueName: "hex"))
    var token: String?

    @Option(help: NoisePolicyOption.help)
    var noise = NoisePolicyOption.preferStandard

    @Option(help: ArgumentHelp("Admit only this principal (repeatable).", valueName: "principal"))
    var allow: [String] = []

    @Option(help: ArgumentHelp(
        "Keep a session with this peer, reconnecting when it ends, so PX-1 resolves through it (repeatable).",
        valueName: "host:port"))
    var connect: [String] = []

    @Option(
        help: ArgumentHelp(
            "Connections one address may open per window before it is turned away (before any cryptography): "
                + "N/SECONDS, or off. Default: stealth 5/60, private (--allow) 30/60, public off.",
            valueName: "N/seconds|off"),
        transform: RateLimitArgument.parse)
    var rateLimit: RateLimitArgument?

    @OptionGroup var keepaliveOptions: KeepaliveOptions

    @OptionGroup var limitOptions: ResourceLimitOptions

    @Option(help: ArgumentHelp(
        "Also reserve a slot on this relay (snap2p relay) and accept sessions through it like direct ones; "
            + "others reach this peer as relay:HOST:PORT. Reconnects with backoff when the relay goes away.",
        valueName: "host:port"))
    var relay: String?

    @Option(help: ArgumentHelp(
        "Instead of accepting, open one session by TCP simultaneous open from PORT to this address (the remote's "
            + "public mapping) with the one --allow principal, echo it, and exit when it ends.", valueName: "host:port"))
    var simultaneousOpen: String?

    @OptionGroup var simultaneousOpenOptions: SimultaneousOpenOptions

    func validate() throws {
        if let relay, (try? PeerAddress(parsing: relay)) == nil {
            throw ValidationError("--relay must be HOST:PORT, e.g. relay.example.org:9100")
        }
        if simultaneousOpen != nil {
            guard allow.count == 1 else { throw ValidationError("--simultaneous-open needs exactly one --allow PRINCIPAL") }
            guard (1...65535).contains(port) else { throw ValidationError("--simultaneous-open needs a PORT of 1-65535") }
            guard !stealth else { throw ValidationError("--simultaneous-open takes no --stealth") }
        }
        if token != nil && !stealth { throw ValidationError("--token is only for --stealth listeners") }
        if drainSeconds < 0 { throw ValidationError("--drain-seconds must be 0 or more") }
        for address in connect {
            guard case .address? = try? DialTarget(parsing: address) else { throw ValidationError("--connect \(address) is not HOST:PORT") }
        }
        if let metrics, (try? PeerAddress(parsing: metrics)) == nil {
            throw ValidationError("--metrics must be HOST:PORT, e.g. 127.0.0.1:9100")
        }
    }

    func run() async throws {
        let output = PeerEventOutput(json: json)
        let allowlist = try allow.map { text in
            do { return try Principal(text) } catch { throw ValidationError("--allow \(text): \(error)") }
        }
        let tokens = InviteTokenStore()
        var printedToken: String?
        if stealth {
            if let token {
                let bytes = try PeerEventOutput.decodeToken(token)
                do { try tokens.add(bytes) } catch { throw ValidationError("--token: \(error)") }
            } else {
                printedToken = Hex.encode(tokens.issue())
            }
        }
        // Bootstrapped before the peer exists: a peer takes the metrics backend when it is made.
        let metricsEndpoint = try await startMetricsEndpoint()
        let visibility: Visibility = stealth ? .stealth : (allowlist.isEmpty ? .public : .private)
        let configuration = PeerConfiguration(
            network: testnet ? .testnet : .mainnet,
            visibility: visibility,
            authorization: allowlist.isEmpty ? AllowAllPolicy() : AllowlistPolicy(Set(allowlist)),
            inviteTokens: tokens,
            rateLimit: rateLimit?.setting ?? .automatic,
            keepalive: keepaliveOptions.keepalive,
            maximumStreams: limitOptions.maximumStreams,
            limits: limitOptions.limits(descriptorRoom: FileDescriptorLimit.maximumSessions),
            noisePolicy: noise.policy,
            alias: try aliasOptions.resolveOrExit(wallet: walletOptions.wallet, store: walletOptions.storeOptions.store, json: json),
            shutdownGracePeriod: .seconds(drainSeconds)
        )
        let peer = Peer(wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json), configuration: configuration)
        if let simultaneousOpen, let remote = allowlist.first {
            let connection: Connection
            do {
                connection = try await simultaneousOpenOptions.connect(peer, to: simultaneousOpen, from: port, expecting: remote)
            } catch {
                throw CommandFailure.dialing(error, address: simultaneousOpen, localPrincipal: peer.principal, usedToken: false).exit(json: json)
            }
            await Self.serve(connection, output: output)
            return
        }
        let listener: Listener
        do {
            listener = try await peer.listen(host: host, port: port)
        } catch {
            throw CommandFailure.listening(error, host: host, port: port).exit(json: json)
        }
        let links = OutboundLinks(addresses: connect, peer: peer, output: output)
        let firstLinks = await links.connectFirst()
        output.ready(
            principal: peer.principal, host: listener.host, port: listener.port, token: printedToken,
            maximumSessions: configuration.limits.sessions,
            metrics: metricsEndpoint?.localAddress.map { "\($0.ipAddress ?? host):\($0.port ?? 0)" }
        )
        let reservation = relay.map {
            RelayReservationLoop(peer: peer, relayAddress: $0, output: output) { await ListenCommand.serve($0, output: output) }
        }
        let services = ServiceGroup(
            services: [EchoService(listener: listener, output: output, drainSeconds: drainSeconds, relay: reservation)],
            logger: Logger(label: "snap2p", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        // The first SIGTERM or SIGINT starts the drain; the next one cuts it short.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await services.run() }
            // Runs until the shutdown cancels it (a task that ended would end the listener).
            if !connect.isEmpty { tasks.addTask { await links.keep(startingWith: firstLinks) } }
            tasks.addTask {
                var caught = 0
                for await _ in signals {
                    caught += 1
                    if caught == 1 {
                        await services.triggerGracefulShutdown()
                    } else {
                        await listener.shutdown(gracePeriod: .zero)
                    }
                }
            }
            await tasks.next()
            tasks.cancelAll()
        }
        try? await metricsEndpoint?.close()
        output.stopped()
    }

    /// Bootstraps swift-prometheus and serves it when --metrics is given.
    private func startMetricsEndpoint() async throws -> (any Channel)? {
        guard let metrics, let address = try? PeerAddress(parsing: metrics) else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        do {
            return try await MetricsEndpoint.start(host: address.host, port: address.port, registry: registry)
        } catch {
            throw CommandFailure.listening(error, host: address.host, port: address.port).exit(json: json)
        }
    }

    /// Echoes every connection (and, with --relay, every relayed one) until graceful shutdown,
    /// then drains the listener (as its `Service`) and returns once every session has ended.
    private struct EchoService: Service {
        let listener: Listener
        let output: PeerEventOutput
        let drainSeconds: Int
        let relay: RelayReservationLoop?

        func run() async {
            let relayed = relay.map { relay in Task { await relay.run() } }
            defer { relayed?.cancel() }
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await failure in listener.failedHandshakes { output.handshakeFailed(failure) }
                }
                group.addTask {
                    await withGracefulShutdownHandler {
                        await listener.run()
                    } onGracefulShutdown: {
                        output.draining(seconds: drainSeconds)
                    }
                }
                for await connection in listener {
                    group.addTask { await ListenCommand.serve(connection, output: output) }
                }
            }
        }
    }

    /// Echoes every stream of one connection until it ends.
    static func serve(_ connection: Connection, output: PeerEventOutput, outbound: Bool = false) async {
        output.connected(connection, from: connection.remoteAddress, handshakeTime: nil, outbound: outbound)
        await withDiscardingTaskGroup { group in
            if connection.path.isRelayed {
                group.addTask { output.upgrade(of: connection, ended: await connection.directUpgrade()) }
            }
            for await stream in connection.incomingStreams {
                group.addTask {
                    do {
                        for try await chunk in stream.inbound { try await stream.write(chunk) }
                        try await stream.finish()
                    } catch {
                        stream.close(error: .internalError)
                    }
                }
            }
        }
        output.closed(principal: connection.remotePrincipal, error: await connection.closed())
    }
}

/// How `listen` and `dial` report: a sentence per event for people, one JSON object per line
/// (`event` plus its fields) for scripts. Failures are reported as ``CommandFailure``s.
struct PeerEventOutput: Sendable {
    let json: Bool

    /// Parses an invite token given as hex.
    static func decodeToken(_ text: String) throws -> [UInt8] {
        guard let bytes = try? Hex.decode(text), InviteTokenStore.tokenLengths.contains(bytes.count) else {
            throw ValidationError("--token must be 16-32 bytes of hex")
        }
        return bytes
    }

    /// Prints one event. Scripts read the lines while the process runs, so each is flushed at once.
    func emit(_ event: PeerEvent, text: @autoclosure () -> String) {
        if json {
            event.print()
        } else {
            print(text())
            fflush(nil)
        }
    }

    func ready(principal: Principal, host: String, port: Int, token: String?, maximumSessions: Int, metrics: String? = nil) {
        var event = PeerEvent("ready")
        event.principal = principal.description
        event.host = host
        event.port = port
        event.token = token
        event.maximumSessions = maximumSessions
        event.metrics = metrics
        var text = "Listening on \(host):\(port) as \(principal)"
        if let token { text += "\nInvite token: \(token)" }
        text += "\nRoom for about \(maximumSessions) sessions (open-file limit \(FileDescriptorLimit.soft))"
        if let metrics { text += "\nMetrics: http://\(metrics)/metrics" }
        emit(event, text: text)
    }

    /// A shutdown began: no new connections; open streams get `seconds` to finish.
    func draining(seconds: Int) {
        var event = PeerEvent("draining")
        event.seconds = Double(seconds)
        emit(event, text: "Draining: no new connections; open streams have \(seconds) s to finish")
    }

    /// Every session has ended after a shutdown; the process exits 0.
    func stopped() {
        emit(PeerEvent("stopped"), text: "Stopped")
    }

    /// A session is up: who, from where (directly or through a relay), how long the handshake
    /// took, and which Noise schedule. A relayed session is followed by a `relayed` event.
    func connected(_ connection: Connection, from remote: String?, handshakeTime: Duration?, outbound: Bool = false) {
        var event = PeerEvent.connected(connection, remote: remote, handshakeMilliseconds: handshakeTime.map(Self.milliseconds))
        event.outbound = outbound ? true : nil
        let relayed = PeerEvent.relayed(connection)
        event.relay = relayed?.event.relay
        var text = (outbound ? "Connected to " : "Connected: ") + "\(connection.remotePrincipal)"
        if let card = connection.remoteAlias {
            text += " — @\(card.alias)" + (card.displayName.isEmpty ? "" : ", \(card.displayName.withoutControlCharacters)")
        }
        if let remote { text += outbound ? " at \(remote)" : " from \(remote)" }
        if let observed = connection.observedLocalAddress { text += ", sees us as \(observed)" }
        var details = ["\(connection.noiseSchedule) Noise"]
        if outbound { details.insert("--connect", at: 0) }
        if let handshakeTime { details.insert("handshake \(Self.format(Self.milliseconds(handshakeTime))) ms", at: 0) }
        text += " (\(details.joined(separator: ", ")))"
        emit(event, text: text)
        if let relayed { emit(relayed.event, text: relayed.text) }
    }

    /// `relayed`, for a connection through a relay whose `connected` was reported otherwise.
    func relayed(_ connection: Connection) {
        if let relayed = PeerEvent.relayed(connection) { emit(relayed.event, text: relayed.text) }
    }

    /// The direct upgrade of a relayed connection ended: `upgraded` with the direct remote address,
    /// or `upgrade_failed` with why (the relayed path goes on).
    func upgrade(of connection: Connection, ended outcome: DirectUpgradeOutcome) {
        let (event, text) = PeerEvent.upgrade(of: connection, ended: outcome)
        emit(event, text: text)
    }

    /// A dialer's handshake failed; the listener carries on.
    func handshakeFailed(_ failure: FailedHandshake) {
        var event = PeerEvent("handshake_failed")
        event.remote = failure.remoteAddress
        event.code = failure.error.code?.description
        event.error = failure.error.description
        emit(event, text: "Handshake failed" + (failure.remoteAddress.map { " from \($0)" } ?? "") + ": \(failure.error)")
    }

    func closed(principal: Principal, error: SNaP2PError?) {
        var event = PeerEvent("closed")
        event.principal = principal.description
        event.code = error?.code?.description
        event.error = error?.description
        emit(event, text: "Closed: \(principal)" + (error.map { " (\($0))" } ?? ""))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// `value` with two decimals ("5.08"), without Foundation's printf formatting, which is a
    /// measurable share of a `dial --repeat` run's CPU when every handshake prints a line.
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
