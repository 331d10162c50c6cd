import NIOConcurrencyHelpers
import NIOCore
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PRelay
import SNaP2PSession

/// A peer's part in the relay protocol: it answers the `relay-1` streams remotes open (as a
/// relay, if ``Peer/serveRelay(limits:)`` made it one, and as a reserved peer to the relays it
/// holds reservations on), and starts sessions over relayed streams with the peer's settings.
final class RelayNode: Sendable {
    /// Where relayed sessions of one reservation go.
    private struct ReservationSink: Sendable {
        let id: UInt64
        let connections: AsyncStream<Connection>.Continuation
    }

    private struct State {
        var service: RelayService?
        /// By the relay session the reservation was made on.
        var reservations: [ObjectIdentifier: ReservationSink] = [:]
        var nextReservation: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    private let makeSettings: @Sendable (RelayNode, HandshakeRole, SessionTransport) async throws -> SessionSettings
    private let eventLoopGroup: any EventLoopGroup
    /// The peer's handshake timeout, also how long a relay (or an `upgrade-1` remote) may take to answer.
    let answerTimeout: Duration
    /// Whether this peer offers `upgrade1`, and how long a simultaneous open may try.
    let directUpgradeEnabled: Bool
    let upgradeTimeout: Duration
    /// Opens a direct session by simultaneous open (the peer's ``Peer/connect(simultaneouslyWith:plan:)``).
    private let directConnector = NIOLockedValueBox<DirectConnector?>(nil)
    typealias DirectConnector = @Sendable (Principal, SimultaneousOpen) async throws -> Connection
    let clock: @Sendable () -> UInt64

    init(
        eventLoopGroup: any EventLoopGroup,
        answerTimeout: Duration,
        directUpgrade: Bool,
        upgradeTimeout: Duration,
        clock: @escaping @Sendable () -> UInt64,
        makeSettings: @escaping @Sendable (RelayNode, HandshakeRole, SessionTransport) async throws -> SessionSettings
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.answerTimeout = answerTimeout
        self.directUpgradeEnabled = directUpgrade
        self.upgradeTimeout = upgradeTimeout
        self.clock = clock
        self.makeSettings = makeSettings
    }

    /// Sets how direct upgrades connect (once the peer exists).
    func attachDirectConnector(_ connector: @escaping DirectConnector) {
        directConnector.withLockedValue { $0 = connector }
    }

    /// A direct session with `remote` by simultaneous open under `plan`.
    func connectDirectly(to remote: Principal, plan: SimultaneousOpen) async throws -> Connection {
        guard let connector = directConnector.withLockedValue({ $0 }) else {
            throw SNaP2PError.connectionFailed(reason: "the peer is gone")
        }
        return try await connector(remote, plan)
    }

    /// Makes this peer a relay with `limits` (replacing an earlier service for new requests).
    func serve(limits: RelayLimits) -> RelayService {
        let service = RelayService(limits: limits, clock: clock)
        state.withLockedValue { $0.service = service }
        return service
    }

    /// The handler of every `relay-1` stream a remote opens.
    func serve(_ stream: SNaP2PStream, on connection: Connection) async {
        guard connection.features.speaksRelay else {
            // Only a peer that announced `relay1` may open relay streams.
            stream.close(error: .streamRefused)
            return
        }
        let message: RelayMessage
        let received: [UInt8]
        do {
            (message, received) = try await RelayStreamMessages.receive(on: stream, within: answerTimeout)
        } catch {
            stream.close(error: .invalidMessage)
            return
        }
        let (service, sink) = state.withLockedValue { ($0.service, $0.reservations[ObjectIdentifier(connection)]) }
        switch (message, service, sink) {
        case (.reserve, let service?, _):
            await service.reserve(on: stream, from: connection)
        case (.connect(let target), let service?, _):
            await service.connect(on: stream, from: connection, to: target, alreadyReceived: received)
        case (.reserve, nil, _), (.connect, nil, _):
            await RelayStreamMessages.refuse(RelayRefusal(.notARelay, message: "this peer is not a relay"), on: stream)
        case (.incoming, _, let sink?):
            await acceptIncoming(on: stream, from: connection, alreadyReceived: received, into: sink)
        case (.incoming, _, nil):
            await RelayStreamMessages.refuse(RelayRefusal(.notARelay, message: "no reservation on this session"), on: stream)
        case (.reserved, _, _), (.accepted, _, _), (.refused, _, _):
            await RelayStreamMessages.refuse(RelayRefusal(.malformed, message: "\"\(message.type)\" is not a request"), on: stream)
        }
    }

    /// Accepts a relayed session announced by the relay on `relay` and runs the responder's
    /// handshake over the stream; the session goes to the reservation once established.
    private func acceptIncoming(on stream: SNaP2PStream, from relay: Connection, alreadyReceived: [UInt8], into sink: ReservationSink) async {
        do {
            try await RelayStreamMessages.send(.accepted, on: stream)
            let connection = try await startSession(
                over: stream, alreadyReceived: alreadyReceived, of: relay, role: .responder, authorization: nil)
            switch sink.connections.yield(connection) {
            case .enqueued: startDirectUpgrade(of: connection, asDialer: false)
            default: connection.link.execute { $0.close(code: nil) }
            }
        } catch {
            // The handshake failed (refused, or cut off): the dialer was told where the protocol allows.
        }
    }

    /// Starts a session over `stream` of `carrier` in `role`; `authorization`, when given,
    /// replaces the peer's policy for this session.
    func startSession(
        over stream: SNaP2PStream,
        alreadyReceived: [UInt8],
        of carrier: Connection,
        role: HandshakeRole,
        authorization: (any AuthorizationPolicy)?,
        inviteToken: [UInt8]? = nil
    ) async throws -> Connection {
        let origin = DirectUpgrade.Origin(localAddress: carrier.localSocketAddress, observedAddress: carrier.observedLocalAddress)
        let transport = SessionTransport.relayed(via: carrier.remotePrincipal, relayAddress: carrier.remoteAddress, origin: origin)
        var settings = try await makeSettings(self, role, transport)
        if let authorization { settings.session.handshake.authorizationPolicy = authorization }
        settings.session.handshake.inviteToken = inviteToken
        return try await RelayedStreamBridge.startSession(
            over: stream, alreadyReceived: alreadyReceived, carrier: carrier, settings: settings,
            eventLoop: eventLoopGroup.next())
    }

    // MARK: - Reservations

    /// Registers a reservation made on `relay`; relayed sessions announced there go to the
    /// returned stream until `release` is called.
    func register(on relay: Connection) -> (AsyncStream<Connection>, release: @Sendable () -> Void) {
        let (connections, continuation) = AsyncStream.makeStream(
            of: Connection.self, bufferingPolicy: .bufferingOldest(Peer.unacceptedConnectionLimit))
        let key = ObjectIdentifier(relay)
        let id = state.withLockedValue { state in
            defer { state.nextReservation += 1 }
            state.reservations[key]?.connections.finish()
            state.reservations[key] = ReservationSink(id: state.nextReservation, connections: continuation)
            return state.nextReservation
        }
        let release: @Sendable () -> Void = { [weak self] in
            continuation.finish()
            self?.state.withLockedValue { state in
                if state.reservations[key]?.id == id { state.reservations[key] = nil }
            }
        }
        relay.closeFuture.whenComplete { _ in release() }
        return (connections, release)
    }
}
