import NIOCore
import SNaP2PIdentity
import SNaP2PRelay

/// What became of a relayed connection's direct upgrade (see ``Connection/directUpgrade()``).
public enum DirectUpgradeOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The connection moved onto a direct TCP connection: new streams take this path.
    case upgraded(ConnectionPath)
    /// No direct connection was made (`reason` says why); the relayed path goes on.
    case failed(reason: String)
    /// No upgrade was tried: the connection is direct, one side does not offer `upgrade1`, or the
    /// connection ended first.
    case notAttempted(reason: String)

    /// `upgraded to direct 203.0.113.5:9000`, `failed: …`, `not attempted: …`.
    public var description: String {
        switch self {
        case .upgraded(let path): "upgraded to \(path)"
        case .failed(let reason): "failed: \(reason)"
        case .notAttempted(let reason): "not attempted: \(reason)"
        }
    }
}

/// The pure rules of the `upgrade-1` protocol (docs/NAT-TRAVERSAL.md, "Direct upgrade"): what a
/// side announces, what it dials, and when it starts.
enum DirectUpgrade {
    /// Where one side of a relayed session reaches the relay: the local address of its session
    /// with the relay and the address the relay saw for it (`obs1`).
    struct Origin: Sendable, Hashable {
        var localAddress: SocketAddress?
        var observedAddress: String?

        /// The addresses announced in CONNECT: the public one first, then the local one.
        var announcedAddresses: [String] {
            var addresses: [String] = []
            for address in [observedAddress, localAddress?.displayText].compactMap(\.self) where !addresses.contains(address) {
                addresses.append(address)
            }
            return addresses
        }

        /// The port the simultaneous open leaves from: the relay session's own.
        var localPort: Int? { localAddress?.port.flatMap { $0 > 0 ? $0 : nil } }
    }

    /// The remote's announced addresses that can be dialed: IP literals with a port, each once.
    static func candidates(from addresses: [String]) -> [PeerAddress] {
        var candidates: [PeerAddress] = []
        for text in addresses {
            guard let address = try? PeerAddress(parsing: text), address.port > 0,
                (try? SocketAddress(ipAddress: address.host, port: address.port)) != nil,
                !candidates.contains(address)
            else { continue }
            candidates.append(address)
        }
        return candidates
    }

    /// How long after sending SYNC the dialer starts: half the CONNECT round trip, when the other
    /// side receives SYNC (libp2p's DCUtR does the same).
    static func dialerStartDelay(roundTrip: Duration) -> Duration {
        roundTrip / 2
    }
}

extension RelayNode {
    /// Starts the direct upgrade of `connection`, a relayed session just established: the dialer
    /// (`initiator`) opens the `upgrade-1` stream at once; the other side waits for it.
    func startDirectUpgrade(of connection: Connection, asDialer: Bool) {
        guard directUpgradeEnabled, connection.features.upgradesDirectly else {
            connection.finishUpgrade(.notAttempted(reason: "the remote does not offer upgrade1"))
            return
        }
        let timeout = upgradeTimeout
        if asDialer {
            Task { await self.upgrade(connection) }
        } else {
            // A dialer that never asks leaves the relayed path as it is.
            Task { [weak connection] in
                try? await Task.sleep(for: answerTimeout + timeout)
                if let connection, connection.beginUpgrade() {
                    connection.finishUpgrade(.notAttempted(reason: "the remote did not ask for an upgrade"))
                }
            }
        }
    }

    /// The dialer's side: CONNECT, CONNECT back, SYNC, then the simultaneous open.
    private func upgrade(_ connection: Connection) async {
        guard connection.beginUpgrade() else { return }
        let timeout = upgradeTimeout
        do {
            let origin = try Self.origin(of: connection)
            let stream = try await connection.openStream(label: UpgradeMessage.streamLabel)
            defer { stream.close() }
            var reader = StreamMessageReader<UpgradeMessage>(stream)
            let sent = ContinuousClock.now
            try await stream.write(UpgradeMessage.connect(addresses: origin.announcedAddresses).encoded())
            let addresses = try await Self.connectAddresses(from: &reader, within: answerTimeout)
            let roundTrip = ContinuousClock.now - sent
            try await stream.write(UpgradeMessage.sync.encoded())
            let start = ContinuousClock.now + DirectUpgrade.dialerStartDelay(roundTrip: roundTrip)
            try await switchToDirect(connection, origin: origin, remoteAddresses: addresses, start: start, timeout: timeout, stream: stream, reader: &reader)
        } catch {
            connection.finishUpgrade(.failed(reason: Self.reason(error)))
        }
    }

    /// The other side's: the handler of the `upgrade-1` stream the remote opens.
    func serveUpgrade(_ stream: SNaP2PStream, on connection: Connection) async {
        guard connection.features.upgradesDirectly, connection.path.isRelayed, connection.relayOrigin != nil,
            connection.beginUpgrade()
        else {
            stream.close(error: .streamRefused)
            return
        }
        defer { stream.close() }
        var reader = StreamMessageReader<UpgradeMessage>(stream)
        do {
            let origin = try Self.origin(of: connection)
            let addresses = try await Self.connectAddresses(from: &reader, within: answerTimeout)
            try await stream.write(UpgradeMessage.connect(addresses: origin.announcedAddresses).encoded())
            let sync = try await reader.next(within: answerTimeout)
            guard case .sync = sync else { throw RelayProtocolError.unexpected(type: sync.type) }
            try await switchToDirect(connection, origin: origin, remoteAddresses: addresses, start: .now, timeout: upgradeTimeout, stream: stream, reader: &reader)
        } catch {
            connection.finishUpgrade(.failed(reason: Self.reason(error)))
        }
    }

    /// Both sides: the simultaneous open from the relay session's port, the switch, SWITCHED both
    /// ways, and the relayed session's retirement.
    private func switchToDirect(
        _ connection: Connection, origin: DirectUpgrade.Origin, remoteAddresses: [String], start: ContinuousClock.Instant,
        timeout: Duration, stream: SNaP2PStream, reader: inout StreamMessageReader<UpgradeMessage>
    ) async throws {
        let candidates = DirectUpgrade.candidates(from: remoteAddresses)
        guard let localPort = origin.localPort, !candidates.isEmpty else {
            throw SNaP2PError.simultaneousOpenFailed(attempts: 0, reason: "no address to try")
        }
        let plan = SimultaneousOpen(localPort: localPort, candidates: candidates, start: start, deadline: start + timeout)
        // The handshake on the punched connection gets as long again as the punching; then it is
        // abandoned, so a connection the remote never took up cannot hold the upgrade.
        let direct = try await withThrowingTaskGroup(of: Connection?.self) { group in
            group.addTask { try await self.connectDirectly(to: connection.remotePrincipal, plan: plan) }
            group.addTask {
                try await Task.sleep(until: plan.deadline + timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let direct = first else {
                throw SNaP2PError.connectionFailed(reason: "the punched connection's handshake did not finish in time")
            }
            return direct
        }
        guard await connection.upgrade(to: direct) else {
            await direct.close()
            throw SNaP2PError.connectionFailed(reason: "the direct session ended before the switch")
        }
        connection.finishUpgrade(.upgraded(direct.path))
        // Streams opened before this message went over the relayed session ahead of it.
        try await stream.write(UpgradeMessage.switched.encoded())
        if case .switched = try await reader.next(within: answerTimeout) { connection.retireReplacedSession() }
    }

    private static func connectAddresses(from reader: inout StreamMessageReader<UpgradeMessage>, within timeout: Duration) async throws -> [String] {
        let message = try await reader.next(within: timeout)
        guard case .connect(let addresses) = message else { throw RelayProtocolError.unexpected(type: message.type) }
        return addresses
    }

    private static func origin(of connection: Connection) throws -> DirectUpgrade.Origin {
        guard let origin = connection.relayOrigin else {
            throw SNaP2PError.connectionFailed(reason: "the connection is not relayed")
        }
        return origin
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as SNaP2PError: error.description
        case let error as RelayProtocolError: "upgrade-1: \(error)"
        case is StreamMessageReader<UpgradeMessage>.TimedOut: "no answer on upgrade-1 in time"
        default: "\(error)"
        }
    }
}
