import NIOConcurrencyHelpers
import SNaP2PIdentity
import SNaP2PSession
import Testing

@testable import SNaP2P

/// Three peers in one process on 127.0.0.1: a relay, a peer that reserved a slot on it, and a
/// dialer that reaches that peer by principal through it.
struct RelayedTrio {
    let relayPeer: Peer
    let relayListener: Listener
    let service: RelayService
    /// The relay's side of every session it accepted, kept so none is dropped.
    let relaySessions: Task<[Connection], Never>
    let reservedPeer: Peer
    let reservedToRelay: Connection
    let reservation: Reservation
    let dialerPeer: Peer

    static func make(
        limits: RelayLimits = RelayLimits(),
        reservedConfiguration: PeerConfiguration = TestPeers.configuration(),
        dialerConfiguration: PeerConfiguration = TestPeers.configuration(),
        reservedPort: Int? = nil
    ) async throws -> RelayedTrio {
        let (relayPeer, relayListener) = try await TestPeers.listener()
        let service = relayPeer.serveRelay(limits: limits)
        let relaySessions = Task {
            var kept: [Connection] = []
            for await connection in relayListener { kept.append(connection) }
            return kept
        }
        let reservedPeer = Peer(configuration: reservedConfiguration)
        let reservedToRelay = try await reservedPeer.dial("127.0.0.1:\(relayListener.port)", reusableLocalPort: reservedPort)
        let reservation = try await reservedPeer.reserve(on: reservedToRelay)
        return RelayedTrio(
            relayPeer: relayPeer, relayListener: relayListener, service: service, relaySessions: relaySessions,
            reservedPeer: reservedPeer, reservedToRelay: reservedToRelay, reservation: reservation,
            dialerPeer: Peer(configuration: dialerConfiguration))
    }

    var relayAddress: String { "127.0.0.1:\(relayListener.port)" }

    /// Dials the reserved peer through the relay and accepts the relayed session on its side.
    func connect(from dialer: Peer? = nil) async throws -> (dialed: Connection, accepted: Connection) {
        async let accepted = nextRelayed()
        let dialed = try await (dialer ?? dialerPeer).dial(reservedPeer.principal, viaRelay: relayAddress)
        return (dialed, try await accepted)
    }

    func nextRelayed() async throws -> Connection {
        var iterator = reservation.makeAsyncIterator()
        guard let connection = await iterator.next() else { throw TestFailure("the reservation ended") }
        return connection
    }

    func close() async {
        reservation.close()
        await reservedToRelay.close()
        await relayListener.close()
        _ = await relaySessions.value
    }
}

/// Writes `count` deterministic bytes on `stream`, finishes, and checks the echo byte for byte.
func expectEcho(of count: Int, on stream: SNaP2PStream) async throws {
    let payload = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
    async let echoed = stream.inbound.collect(upTo: count)
    var offset = 0
    while offset < count {
        let end = min(count, offset + 200_000)
        try await stream.write(Array(payload[offset..<end]))
        offset = end
    }
    try await stream.finish()
    let received = try await echoed
    #expect(received.count == count)
    #expect(received == payload, "the echo is identical")
}

@Suite struct RelayTests {
    @Test func aSessionRunsInsideAStreamOfAnotherSession() async throws {
        let outerListenerPeer = Peer(configuration: TestPeers.configuration())
        let listener = try await outerListenerPeer.listen(host: "127.0.0.1", port: 0)
        let outerDialerPeer = Peer(configuration: TestPeers.configuration())
        async let acceptedOuter = TestPeers.accept(listener)
        let outer = try await outerDialerPeer.dial("127.0.0.1:\(listener.port)")
        let outerAccepted = try await acceptedOuter

        let tunnel = try await outer.openStream(label: "tunnel")
        async let innerResponder: Connection = {
            var streams = outerAccepted.incomingStreams.makeAsyncIterator()
            guard let stream = await streams.next() else { throw TestFailure("no tunnel stream") }
            return try await outerListenerPeer.relay.startSession(
                over: stream, alreadyReceived: [], of: outerAccepted, role: .responder, authorization: nil)
        }()
        let inner = try await outerDialerPeer.relay.startSession(
            over: tunnel, alreadyReceived: [], of: outer, role: .initiator, authorization: nil)
        let innerAccepted = try await innerResponder

        #expect(inner.remotePrincipal == outerListenerPeer.principal)
        #expect(innerAccepted.remotePrincipal == outerDialerPeer.principal)
        #expect(inner.path == .relayed(via: outerListenerPeer.principal, relayAddress: "127.0.0.1:\(listener.port)"))
        #expect(inner.sessionID != outer.sessionID, "a session of its own, with its own keys")
        let server = Task { await serveEcho(innerAccepted) }
        for _ in 0..<2 {
            try await expectEcho(of: 3 << 20, on: try await inner.openStream(label: "chat"))
        }
        await inner.close()
        #expect(await innerAccepted.closed() == nil, "a clean close crosses the tunnel")
        await server.value
        await outer.close()
        await listener.close()
    }

    @Test func dialerReachesAReservedPeerByPrincipalThroughTheRelay() async throws {
        let trio = try await RelayedTrio.make()
        #expect(trio.reservation.relay == trio.relayPeer.principal)
        #expect(trio.service.reservationCount == 1)
        var events = trio.service.events.makeAsyncIterator()
        #expect(await events.next() == .reserved(trio.reservedPeer.principal, expiresAt: trio.reservation.expiresAt))

        let (dialed, accepted) = try await trio.connect()
        #expect(dialed.remotePrincipal == trio.reservedPeer.principal)
        #expect(accepted.remotePrincipal == trio.dialerPeer.principal)
        #expect(dialed.path == .relayed(via: trio.relayPeer.principal, relayAddress: trio.relayAddress))
        #expect(accepted.path.isRelayed)
        #expect(dialed.remoteAddress == nil)
        #expect(await events.next() == .opened(source: trio.dialerPeer.principal, target: trio.reservedPeer.principal))

        let server = Task { await serveEcho(accepted) }
        let size = 4 << 20
        let before = trio.service.forwardedByteCount
        try await expectEcho(of: size, on: try await dialed.openStream(label: "chat"))
        // The reserved side opens a stream too: streams go both ways over the relayed session.
        let reverse = Task { await serveEcho(dialed) }
        try await expectEcho(of: 1 << 20, on: try await accepted.openStream(label: "back"))
        let forwarded = trio.service.forwardedByteCount - before
        #expect(forwarded > UInt64(2 * (size + (1 << 20))), "the relay counted every byte it forwarded, both ways")

        await dialed.close()
        #expect(await accepted.closed() == nil)
        guard case .closed(let source, let target, let byteCount, let limit) = await events.next() else {
            throw TestFailure("no closed event")
        }
        #expect(source == trio.dialerPeer.principal && target == trio.reservedPeer.principal)
        #expect(byteCount >= forwarded && limit == nil)
        #expect(trio.service.relayedConnectionCount == 0)
        await server.value
        await reverse.value
        await trio.close()
    }

    @Test func anUpgradeMovesNewStreamsToADirectSessionWhileOldOnesFinishRelayed() async throws {
        let trio = try await RelayedTrio.make()
        let (dialed, accepted) = try await trio.connect()
        let server = Task { await serveEcho(accepted) }
        // A stream opened over the relay stays open across the upgrade.
        let old = try await dialed.openStream(label: "old")
        try await old.write(Array("before".utf8))
        var oldEcho = old.inbound.makeAsyncIterator()
        var echoed = try await oldEcho.next() ?? []

        // The direct session hole punching would give: here a plain TCP dial between the same peers.
        let direct = try await trio.reservedPeer.listen(host: "127.0.0.1", port: 0)
        async let directAccepted = TestPeers.accept(direct)
        let directDialed = try await trio.dialerPeer.dial("127.0.0.1:\(direct.port)")
        #expect(await accepted.upgrade(to: try await directAccepted))
        #expect(await dialed.upgrade(to: directDialed))
        #expect(dialed.path == .direct(remoteAddress: "127.0.0.1:\(direct.port)"))
        #expect(!accepted.path.isRelayed)
        // Both sides have switched: the relayed sessions close once their streams have ended.
        dialed.retireReplacedSession()
        accepted.retireReplacedSession()

        let relayedBefore = trio.service.forwardedByteCount
        try await expectEcho(of: 2 << 20, on: try await dialed.openStream(label: "new"))
        #expect(trio.service.forwardedByteCount - relayedBefore < 1 << 20, "the new stream's bytes did not cross the relay")
        let reverse = Task { await serveEcho(dialed) }
        try await expectEcho(of: 1 << 20, on: try await accepted.openStream(label: "back"))

        // The old stream finishes over the relay; then the relayed sessions close and the relay
        // carries nothing more, while the connection lives on directly.
        try await old.write(Array(" and after".utf8))
        try await old.finish()
        while let chunk = try await oldEcho.next() { echoed += chunk }
        #expect(String(decoding: echoed, as: UTF8.self) == "before and after")
        for await event in trio.service.events {
            if case .closed = event { break }
        }
        #expect(trio.service.relayedConnectionCount == 0)
        try await expectEcho(of: 1000, on: try await dialed.openStream(label: "later"))

        await dialed.close()
        #expect(await accepted.closed() == nil)
        await server.value
        await reverse.value
        await direct.close()
        await trio.close()
    }

    @Test func anUnreservedPrincipalIsRefusedWithItsReason() async throws {
        let trio = try await RelayedTrio.make()
        let stranger = LocalWallet.ephemeral(network: .testnet).principal
        await #expect(throws: SNaP2PError.self) {
            _ = try await trio.dialerPeer.dial(stranger, viaRelay: trio.relayAddress)
        }
        do {
            _ = try await trio.dialerPeer.dial(stranger, viaRelay: trio.relayAddress)
        } catch SNaP2PError.relayRefused(let refusal) {
            #expect(refusal.reason == .noReservation)
        }
        // The relay still works for the reserved principal.
        let (dialed, accepted) = try await trio.connect()
        #expect(dialed.remotePrincipal == accepted.localPrincipal)
        await dialed.close()
        await trio.close()
    }

    @Test func aPeerThatServesNoRelayRefusesReservations() async throws {
        let (_, listener) = try await TestPeers.listener()
        let accepting = Task { try await TestPeers.accept(listener) }
        let peer = Peer(configuration: TestPeers.configuration())
        let session = try await peer.dial("127.0.0.1:\(listener.port)")
        await #expect(throws: SNaP2PError.relayRefused(RelayRefusal(.notARelay, message: "this peer is not a relay"))) {
            _ = try await peer.reserve(on: session)
        }
        _ = try await accepting.value
        await listener.close()
    }

    @Test func onlyAllowedPrincipalsReserve() async throws {
        let allowed = LocalWallet.ephemeral(network: .testnet).principal
        await #expect(throws: SNaP2PError.self) {
            _ = try await RelayedTrio.make(limits: RelayLimits(reservers: .only([allowed])))
        }
        let (relayPeer, listener) = try await TestPeers.listener()
        _ = relayPeer.serveRelay(limits: RelayLimits(reservers: .only([allowed])))
        let accepting = Task { try await TestPeers.accept(listener) }
        let peer = Peer(configuration: TestPeers.configuration())
        let session = try await peer.dial("127.0.0.1:\(listener.port)")
        do {
            _ = try await peer.reserve(on: session)
            Issue.record("a principal off the allowlist reserved")
        } catch SNaP2PError.relayRefused(let refusal) {
            #expect(refusal.reason == .notAllowed)
        }
        _ = try await accepting.value
        await listener.close()
    }

    @Test func relayedConnectionsPerPeerAreLimited() async throws {
        let trio = try await RelayedTrio.make(limits: RelayLimits(relayedConnectionsPerPeer: 1))
        let (first, firstAccepted) = try await trio.connect()
        do {
            _ = try await trio.connect()
            Issue.record("a second relayed connection to the same peer went through")
        } catch SNaP2PError.relayRefused(let refusal) {
            #expect(refusal.reason == .peerLimit)
        }
        await first.close()
        _ = await firstAccepted.closed()
        await trio.close()
    }

    @Test func relayedConnectionsInTotalAreLimited() async throws {
        let trio = try await RelayedTrio.make(limits: RelayLimits(relayedConnections: 1))
        let (first, firstAccepted) = try await trio.connect()
        do {
            _ = try await trio.connect(from: Peer(configuration: TestPeers.configuration()))
            Issue.record("a second relayed connection went through")
        } catch SNaP2PError.relayRefused(let refusal) {
            #expect(refusal.reason == .relayFull)
        }
        await first.close()
        _ = await firstAccepted.closed()
        await trio.close()
    }

    @Test func aRelayedConnectionIsCutAtItsByteLimit() async throws {
        let trio = try await RelayedTrio.make(limits: RelayLimits(connectionBytes: 256 << 10))
        let (dialed, accepted) = try await trio.connect()
        let server = Task { await serveEcho(accepted) }
        await #expect(throws: SNaP2PError.self) {
            try await expectEcho(of: 2 << 20, on: try await dialed.openStream(label: "chat"))
        }
        _ = await dialed.closed()
        var limit: RelayEvent.Limit?
        for await event in trio.service.events {
            if case .closed(_, _, let byteCount, let cut) = event {
                limit = cut
                #expect(byteCount <= 256 << 10)
                break
            }
        }
        #expect(limit == .bytes)
        await server.value
        await trio.close()
    }

    @Test func aRelayedConnectionIsCutAtItsDurationLimit() async throws {
        let trio = try await RelayedTrio.make(limits: RelayLimits(connectionDuration: .seconds(2)))
        let accepting = Task { try? await trio.nextRelayed() }
        // On a loaded machine the handshake may outlast the limit; either way the relay cuts the
        // relayed connection when its time is up, and each side's session ends.
        let dialed = try? await trio.dialerPeer.dial(trio.reservedPeer.principal, viaRelay: trio.relayAddress)
        var limit: RelayEvent.Limit?
        for await event in trio.service.events {
            if case .closed(_, _, _, let cut) = event {
                limit = cut
                break
            }
        }
        #expect(limit == .duration)
        if let dialed { _ = await dialed.closed() }
        trio.reservation.close()
        if let accepted = await accepting.value { _ = await accepted.closed() }
        await trio.close()
    }

    @Test func theReservedPeerAppliesItsAuthorizationPolicyToRelayedSessions() async throws {
        let refused = Peer(configuration: TestPeers.configuration())
        let trio = try await RelayedTrio.make(
            reservedConfiguration: TestPeers.configuration(authorization: RefusingPolicy(refused: refused.principal)))
        do {
            _ = try await refused.dial(trio.reservedPeer.principal, viaRelay: trio.relayAddress)
            Issue.record("a principal the reserved peer refuses got in")
        } catch SNaP2PError.handshakeFailed(let code, _) {
            #expect(code == .notAllowed)
        }
        let (dialed, accepted) = try await trio.connect()
        #expect(accepted.remotePrincipal == trio.dialerPeer.principal)
        await dialed.close()
        await trio.close()
    }

    @Test func aPeerWithoutTheCapabilityNeverSeesARelayStream() async throws {
        let (relayPeer, listener) = try await TestPeers.listener()
        _ = relayPeer.serveRelay()
        let accepting = Task { try await TestPeers.accept(listener) }
        var configuration = TestPeers.configuration()
        configuration.relay = false
        let typeScriptLike = Peer(configuration: configuration)
        let session = try await typeScriptLike.dial("127.0.0.1:\(listener.port)")
        let relaySide = try await accepting.value
        #expect(!session.features.speaksRelay && !relaySide.features.speaksRelay)
        // The library opens no relay stream on such a session...
        await #expect(throws: SNaP2PError.self) { _ = try await typeScriptLike.reserve(on: session) }
        await #expect(throws: SNaP2PError.self) { _ = try await relayPeer.dial(typeScriptLike.principal, via: relaySide) }
        // ...and answers none: a `relay-1` stream the remote opens anyway is refused unread.
        let stream = try await session.openStream(label: "relay-1")
        try await stream.write(RelayMessageBytes.reserve)
        await #expect(throws: SNaP2PError.streamRefused(code: .streamRefused)) { _ = try await stream.inbound.collect(upTo: 1024) }
        #expect(relayPeer.serveRelay().reservationCount == 0)
        await session.close()
        await listener.close()
    }
}

/// Admits everyone but one principal.
struct RefusingPolicy: AuthorizationPolicy {
    let refused: Principal

    func authorize(_ principal: Principal) -> Bool { principal != refused }
}

/// `relay-1` messages as raw bytes, for a peer that speaks the protocol without the library.
enum RelayMessageBytes {
    /// `{"type": "reserve", "v": 1}`, framed.
    static let reserve: [UInt8] = [0x11, 0xa2, 0x64, 0x74, 0x79, 0x70, 0x65, 0x67, 0x72, 0x65, 0x73, 0x65, 0x72, 0x76, 0x65, 0x61, 0x76, 0x01]
}
