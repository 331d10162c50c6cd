import Logging
import NIOConcurrencyHelpers
import NIOCore
import SNaP2PDiscovery
import SNaP2PIdentity

/// A peer's PX-1 module (docs/PX-1.md): its locator cache, the sessions it can ask, the addresses
/// it listens on. It serves `px-1` streams remotes open, pushes where this peer listens after each
/// handshake (public peers), and resolves principals for ``Peer/dial(principal:inviteToken:)``.
final class DiscoveryService: Sendable {
    let policy: DiscoveryPolicy
    let settings: PeerConfiguration.Discovery
    private let localPrincipal: Principal
    private let logger: Logger
    private let state: NIOLockedValueBox<State>

    private struct State {
        var cache: LocatorCache
        /// Sessions that negotiated `px1`, by connection.
        var sessions: [ObjectIdentifier: Session] = [:]
        /// The ports this peer listens on, with the bound host.
        var listeners: [Int: String] = [:]
        /// `relay:HOST:PORT` of each relay this peer holds a reservation on, by relay session.
        var relays: [ObjectIdentifier: Locator] = [:]
    }

    private struct Session {
        weak var connection: Connection?
        var limiter: PXRateLimiter
    }

    init(configuration: PeerConfiguration, localPrincipal: Principal) {
        self.policy = configuration.discoveryPolicy
        self.settings = configuration.discovery
        self.localPrincipal = localPrincipal
        self.logger = configuration.logger
        self.state = NIOLockedValueBox(State(cache: LocatorCache(limits: configuration.discovery.cache)))
    }

    // MARK: - What this peer knows

    /// Seconds on the uptime clock: cache expiry must not jump with the wall clock.
    static var now: UInt64 { NIODeadline.now().uptimeNanoseconds / 1_000_000_000 }

    /// The cached locators of `principal`, best first.
    func cachedLocators(of principal: Principal) -> [Locator] {
        state.withLockedValue { $0.cache.locators(of: principal, now: Self.now) }
    }

    /// Remembers that `principal` authenticated at `locator` (a dial of ours that succeeded).
    func learn(_ locator: Locator, of principal: Principal) {
        state.withLockedValue { $0.cache.learn([locator], of: principal, now: Self.now) }
    }

    /// Forgets a locator that failed or answered as someone else.
    func forget(_ locator: Locator, of principal: Principal) {
        state.withLockedValue { $0.cache.forget(locator, of: principal) }
    }

    /// How many principals the cache holds.
    var cachedPrincipalCount: Int { state.withLockedValue { $0.cache.count } }

    /// A listener of this peer is bound to `host:port` until `closed` completes.
    func listening(host: String, port: Int, closed: EventLoopFuture<Void>) {
        state.withLockedValue { $0.listeners[port] = host }
        closed.whenComplete { [state] _ in _ = state.withLockedValue { $0.listeners.removeValue(forKey: port) } }
    }

    /// Where this peer tells `connection`'s remote it listens: the configured locators, else each
    /// listener's address, a wildcard one replaced by the local address the session runs on; then
    /// `relay:HOST:PORT` for each relay it holds a reservation on. Behind a NAT (the remote saw
    /// another address than the socket's, `obs1`) a wildcard listener's local address is left out:
    /// nobody outside could dial it.
    func advertisedLocators(over connection: Connection) -> [Locator] {
        guard policy.pushesItself else { return [] }
        let (listeners, relays) = state.withLockedValue { ($0.listeners, $0.relays) }
        // A peer that only dials has nothing to advertise (and skips parsing its addresses).
        guard settings.advertisedLocators != nil || !listeners.isEmpty || !relays.isEmpty else { return [] }
        let relayed = relays.values.sorted { $0.description < $1.description }
        if let configured = settings.advertisedLocators { return configured + relayed }
        let local = connection.localSocketAddress?.ipAddress
        let observed = connection.observedLocalAddress.flatMap { try? Locator($0) }?.host
        let behindNAT = observed != nil && observed != local
        let direct = listeners.sorted { $0.key < $1.key }.compactMap { port, host -> Locator? in
            let bound = try? Locator(host: host, port: port)
            if let bound, !bound.isUnspecified { return bound }
            guard let local, !behindNAT else { return nil }
            return try? Locator(host: local, port: port)
        }
        return direct + relayed
    }

    /// This peer holds a reservation on the relay at the other end of `relay` until that session
    /// ends: peers learn `relay:HOST:PORT` (the address this peer reached the relay at) from now on,
    /// the relay first (a public peer pushes it there at once).
    func reserved(on relay: Connection) {
        guard let address = relay.remoteAddress, let locator = try? Locator(Locator.relayPrefix + address) else { return }
        let key = ObjectIdentifier(relay)
        state.withLockedValue { $0.relays[key] = locator }
        relay.closeFuture.whenComplete { [state] _ in _ = state.withLockedValue { $0.relays.removeValue(forKey: key) } }
        push(over: relay)
    }

    /// The sessions that can be asked (at most ``PeerConfiguration/Discovery/maximumResolvers``), without `principal` itself.
    func resolvers(excluding principal: Principal) -> [Connection] {
        state.withLockedValue { state in
            state.sessions.values.compactMap(\.connection).filter { $0.remotePrincipal != principal }
        }
        .prefix(settings.maximumResolvers).map { $0 }
    }

    // MARK: - Sessions

    /// A session finished its handshake: remember it while it lasts if it speaks PX-1, and, over a
    /// session this peer `dialed`, tell the remote where this peer listens (public peers that
    /// listen). Over a session it accepted nothing is pushed: the remote dialed an address of this
    /// peer and has learned it already, and an unasked stream would take one of its stream slots.
    func sessionEstablished(_ connection: Connection, dialed: Bool) {
        guard policy.isEnabled, connection.features.contains(.discovery) else { return }
        let key = ObjectIdentifier(connection)
        let limiter = PXRateLimiter(burst: settings.messageBurst, perSecond: settings.messagesPerSecond)
        state.withLockedValue { $0.sessions[key] = Session(connection: connection, limiter: limiter) }
        connection.closeFuture.whenComplete { [state] _ in _ = state.withLockedValue { $0.sessions.removeValue(forKey: key) } }
        if dialed { push(over: connection) }
    }

    /// Tells `connection`'s remote where this peer may be reached, if it has anything to tell.
    private func push(over connection: Connection) {
        guard connection.features.contains(.discovery) else { return }
        let locators = advertisedLocators(over: connection)
        guard !locators.isEmpty else { return }
        let push = PXMessage.push(.init(
            principal: localPrincipal, locators: Array(locators.prefix(PXLimits.maximumLocatorsPerMessage)),
            ttlSeconds: settings.cache.timeToLive))
        Task { [logger] in
            do {
                let stream = try await connection.openStream(label: PXLimits.streamLabel)
                try await stream.write(push.encoded())
                try await stream.finish()
            } catch {
                logger.debug("PX-1 push not sent", metadata: ["reason": "\(error)"])
            }
        }
    }

    // MARK: - Serving px-1 streams

    /// Serves one `px-1` stream a remote opened: answers each request, keeps each push, until the
    /// remote finishes; a bad or excess message closes the stream with its code (the session lives on).
    func serve(_ stream: SNaP2PStream, from connection: Connection) async {
        var reader = PXMessageReader()
        do {
            for try await chunk in stream.inbound {
                reader.append(chunk)
                while let message = try reader.next() {
                    try await handle(message, on: stream, from: connection)
                }
            }
            try await stream.finish()
        } catch let error as PXProtocolError {
            logger.debug("PX-1 stream refused", metadata: ["peer": "\(connection.remotePrincipal)", "reason": "\(error)"])
            stream.close(error: error.code)
        } catch {
            stream.close(error: nil)
        }
    }

    private func handle(_ message: PXMessage, on stream: SNaP2PStream, from connection: Connection) async throws {
        guard admit(from: connection) else { throw PXProtocolError.rateLimited }
        switch message {
        case .resolveRequest(let request):
            let locators = answer(request, from: connection)
            try await stream.write(PXMessage.resolveResponse(.init(locators: locators)).encoded())
        case .push(let push):
            guard policy.learnsPushes, !push.locators.isEmpty, push.principal != localPrincipal,
                  push.principal.network == localPrincipal.network
            else { return }
            state.withLockedValue { $0.cache.learn(push.locators, of: push.principal, ttl: push.ttlSeconds, now: Self.now) }
        case .resolveResponse:
            throw PXProtocolError.unexpected("a response on a stream the remote opened")
        }
    }

    /// Takes a token from the remote's bucket; sessions without `px1` (never registered) get none.
    private func admit(from connection: Connection) -> Bool {
        let now = NIODeadline.now().uptimeNanoseconds
        return state.withLockedValue { state in
            state.sessions[ObjectIdentifier(connection)]?.limiter.allow(atNanoseconds: now) ?? false
        }
    }

    /// What this peer tells `connection`'s remote about `request.principal` (nothing unless the
    /// policy answers that remote): its own advertised locators, or the cache's.
    private func answer(_ request: PXMessage.ResolveRequest, from connection: Connection) -> [Locator] {
        guard policy.answers(connection.remotePrincipal) else { return [] }
        let limit = min(request.maximumResults ?? PXLimits.maximumResults, PXLimits.maximumResults)
        let locators = request.principal == localPrincipal
            ? advertisedLocators(over: connection) : cachedLocators(of: request.principal)
        return Array(locators.prefix(limit))
    }
}
