import SNaP2PIdentity
import SNaP2PRelay

/// Relays (docs/RELAY.md): a peer that cannot accept inbound TCP reserves a slot on a relay it
/// holds a session with; others reach it by principal through that relay. The relayed session is
/// an ordinary end-to-end SNaP2P session whose bytes ride a stream of each peer's session with
/// the relay.
extension Peer {
    /// Makes this peer a relay under `limits` for every session whose remote announced `relay1`
    /// (its listeners' and its dials'). Call again to change the limits for new requests.
    public func serveRelay(limits: RelayLimits = RelayLimits()) -> RelayService {
        relay.serve(limits: limits)
    }

    /// Reserves a slot for this peer's principal on the relay at the other end of `relay`. A public
    /// peer then tells the relay, and every peer it dials later, over PX-1 that it is reachable as
    /// `relay:HOST:PORT` (docs/PX-1.md), so ``dial(principal:inviteToken:)`` finds it. Throws ``SNaP2PError/relayRefused(_:)`` when the relay refuses (with its reason) or the
    /// session does not speak the relay protocol.
    public func reserve(on relay: Connection) async throws -> Reservation {
        let node = self.relay
        let timeout = configuration.handshakeTimeout
        let expiresAt = try await Self.requestReservation(on: relay, within: timeout)
        let (connections, release) = node.register(on: relay)
        discovery.reserved(on: relay)
        return Reservation(
            relay: relay,
            expiresAt: expiresAt,
            connections: connections,
            renew: { try await Self.requestReservation(on: relay, within: timeout) },
            clock: node.clock,
            release: release
        )
    }

    /// Dials `principal` through the relay at the other end of `relay`, where it holds a
    /// reservation, and completes the handshake with it over the relayed stream. The connection's
    /// ``Connection/remotePrincipal`` is `principal` (any other is refused during the handshake:
    /// ``SNaP2PError/principalMismatch(expected:actual:)``),
    /// its ``Connection/path`` is `.relayed`, and it keeps `relay` open while it lasts. When both
    /// peers offer `upgrade1` (``PeerConfiguration/directUpgrade``), the connection then tries to
    /// move onto a direct TCP connection from `relay`'s local port: dial the relay with a
    /// `reusableLocalPort` for that (see ``Connection/directUpgrade()``).
    public func dial(_ principal: Principal, via relay: Connection, inviteToken: [UInt8]? = nil) async throws -> Connection {
        let stream = try await Self.openRelayStream(on: relay)
        let (answer, received): (RelayMessage, [UInt8])
        do {
            try await RelayStreamMessages.send(.connect(principal), on: stream)
            (answer, received) = try await RelayStreamMessages.receive(on: stream, within: configuration.handshakeTimeout)
        } catch {
            stream.close(error: .internalError)
            throw error
        }
        switch answer {
        case .accepted:
            let pin = PinnedPrincipalPolicy(principal, within: configuration.authorization)
            do {
                let connection = try await self.relay.startSession(
                    over: stream, alreadyReceived: received, of: relay, role: .initiator, authorization: pin,
                    inviteToken: inviteToken)
                self.relay.startDirectUpgrade(of: connection, asDialer: true)
                return connection
            } catch let error as SNaP2PError {
                if let actual = pin.refused { throw SNaP2PError.principalMismatch(expected: principal, actual: actual) }
                throw error
            }
        case .refused(let refusal):
            stream.close()
            throw SNaP2PError.relayRefused(refusal)
        default:
            stream.close(error: .invalidMessage)
            throw SNaP2PError.relayRefused(RelayRefusal(.malformed, message: "the relay answered \"\(answer.type)\" to connect"))
        }
    }

    /// Dials the relay at `relayAddress` (`host:port`), then `principal` through it, as
    /// ``dial(_:via:inviteToken:)``; the session with the relay lasts as long as the relayed one
    /// and leaves from a reusable local port, the one a direct upgrade leaves from.
    public func dial(_ principal: Principal, viaRelay relayAddress: String, inviteToken: [UInt8]? = nil) async throws -> Connection {
        let relay = try await dial(relayAddress, reusableLocalPort: 0)
        return try await dial(principal, via: relay, inviteToken: inviteToken)
    }

    /// Sends RESERVE and returns the expiry the relay granted.
    private static func requestReservation(on relay: Connection, within timeout: Duration) async throws -> UInt64 {
        let stream = try await openRelayStream(on: relay)
        defer { stream.close() }
        try await RelayStreamMessages.send(.reserve, on: stream)
        let (answer, _) = try await RelayStreamMessages.receive(on: stream, within: timeout)
        switch answer {
        case .reserved(let expiresAt): return expiresAt
        case .refused(let refusal): throw SNaP2PError.relayRefused(refusal)
        default: throw SNaP2PError.relayRefused(RelayRefusal(.malformed, message: "the relay answered \"\(answer.type)\" to reserve"))
        }
    }

    /// A `relay-1` stream on `relay`, if its remote announced `relay1`.
    private static func openRelayStream(on relay: Connection) async throws -> SNaP2PStream {
        guard relay.features.speaksRelay else {
            throw SNaP2PError.relayRefused(RelayRefusal(.notARelay, message: "\(relay.remotePrincipal) does not speak the relay protocol"))
        }
        return try await relay.openStream(label: RelayProtocol.streamLabel)
    }
}
