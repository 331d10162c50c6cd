import ArgumentParser
import Foundation
import SNaP2P
import UnixSignals

/// `snap2p relay`: a public listener that serves the relay protocol (docs/RELAY.md), so peers that
/// cannot accept inbound connections reserve a slot here and others reach them through it.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay sessions to peers that cannot accept connections themselves.",
        discussion: """
            Prints this relay's principal and address. A peer behind NAT runs `snap2p listen PORT \
            --relay HOST:PORT` to reserve a slot here; anyone then reaches it with `snap2p dial \
            relay:HOST:PORT --expect PRINCIPAL`. Relayed sessions stay end-to-end encrypted between \
            the two peers: the relay forwards ciphertext and counts its bytes. The limits below cap \
            what the relay takes on; a request over one is refused with its reason, and a relayed \
            connection over its duration or bytes is cut. SIGTERM or SIGINT stops the relay.

            Examples:
              snap2p relay 9100
              snap2p relay 9100 --max-reservations 16 --max-relayed 8 --max-duration 300 --json
              snap2p relay 9100 --allow stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
            """
    )

    @Argument(help: "The port (0: any free port, printed when ready).")
    var port: Int

    @Option(help: "The address to bind.")
    var host = "0.0.0.0"

    @Flag(help: "Use a testnet identity (ST... principals) and accept only testnet peers.")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: ready, reserved, refused, relay_opened, relay_closed, stopped).")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    @Option(help: ArgumentHelp("Reservations held at once.", valueName: "n"))
    var maxReservations = RelayLimits().reservations

    @Option(help: ArgumentHelp("Relayed connections at once.", valueName: "n"))
    var maxRelayed = RelayLimits().relayedConnections

    @Option(help: ArgumentHelp("Relayed connections one principal may be an end of at once.", valueName: "n"))
    var maxRelayedPerPeer = RelayLimits().relayedConnectionsPerPeer

    @Option(help: ArgumentHelp("How long a relayed connection may last before it is cut.", valueName: "seconds"))
    var maxDuration = Int(RelayLimits().connectionDuration.components.seconds)

    @Option(help: ArgumentHelp("Bytes a relayed connection may carry, both directions together, before it is cut.", valueName: "n"))
    var maxBytes = RelayLimits().connectionBytes

    @Option(help: ArgumentHelp("Let only this principal reserve (repeatable; default: anyone).", valueName: "principal"))
    var allow: [String] = []

    func validate() throws {
        for (name, value) in [
            ("--max-reservations", maxReservations), ("--max-relayed", maxRelayed),
            ("--max-relayed-per-peer", maxRelayedPerPeer), ("--max-duration", maxDuration),
        ] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if maxBytes < 1 { throw ValidationError("--max-bytes must be at least 1") }
    }

    func run() async throws {
        let output = PeerEventOutput(json: json)
        let reservers = try allow.map { text in
            do { return try Principal(text) } catch { throw ValidationError("--allow \(text): \(error)") }
        }
        let limits = RelayLimits(
            reservations: maxReservations, relayedConnections: maxRelayed, relayedConnectionsPerPeer: maxRelayedPerPeer,
            connectionDuration: .seconds(maxDuration), connectionBytes: maxBytes,
            reservers: reservers.isEmpty ? .anyone : .only(Set(reservers)))
        let peer = Peer(
            wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json),
            configuration: PeerConfiguration(network: testnet ? .testnet : .mainnet))
        let service = peer.serveRelay(limits: limits)
        let listener: Listener
        do {
            listener = try await peer.listen(host: host, port: port)
        } catch {
            throw CommandFailure.listening(error, host: host, port: port).exit(json: json)
        }
        output.relayReady(principal: peer.principal, host: listener.host, port: listener.port, limits: limits)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in service.events { output.relay(event) }
            }
            group.addTask {
                for await _ in signals {
                    await listener.close()
                    return
                }
            }
            // Sessions are held until their remotes close them (a reserved peer's is its slot) or
            // the relay stops.
            for await connection in listener {
                group.addTask {
                    await withTaskCancellationHandler {
                        for await stream in connection.incomingStreams { stream.close(error: .streamRefused) }
                        _ = await connection.closed()
                    } onCancel: {
                        Task { await connection.close() }
                    }
                }
            }
            group.cancelAll()
        }
        output.stopped()
    }
}

extension PeerEventOutput {
    /// `relay` is serving: its principal, address and limits.
    func relayReady(principal: Principal, host: String, port: Int, limits: RelayLimits) {
        var event = PeerEvent("ready")
        event.principal = principal.description
        event.host = host
        event.port = port
        emit(event, text: """
            Relay on \(host):\(port) as \(principal)
            Limits: \(limits.reservations) reservations, \(limits.relayedConnections) relayed connections \
            (\(limits.relayedConnectionsPerPeer) per peer), each up to \(limits.connectionDuration) and \(limits.connectionBytes) bytes
            """)
    }

    /// Something the relay did.
    func relay(_ relayEvent: RelayEvent) {
        switch relayEvent {
        case .reserved(let principal, let expiresAt):
            var event = PeerEvent("reserved")
            event.principal = principal.description
            event.expires = expiresAt
            emit(event, text: "Reserved: \(principal) until \(Self.time(expiresAt))")
        case .refused(let principal, let refusal):
            var event = PeerEvent("refused")
            event.principal = principal.description
            event.code = refusal.reason.rawValue
            event.error = refusal.message
            emit(event, text: "Refused \(principal): \(refusal)")
        case .opened(let source, let target):
            var event = PeerEvent("relay_opened")
            event.principal = source.description
            event.target = target.description
            emit(event, text: "Relaying: \(source) -> \(target)")
        case .closed(let source, let target, let byteCount, let limit):
            var event = PeerEvent("relay_closed")
            event.principal = source.description
            event.target = target.description
            event.relayedBytes = byteCount
            event.limit = limit?.rawValue
            emit(event, text: "Relay closed: \(source) -> \(target), \(byteCount) bytes" + (limit.map { " (cut: \($0.rawValue) limit)" } ?? ""))
        }
    }

    /// A Unix time as ISO 8601, for people.
    static func time(_ unixSeconds: UInt64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unixSeconds)))
    }
}
