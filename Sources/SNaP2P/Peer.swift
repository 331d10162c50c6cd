import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import SNaP2PDiscovery
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PRelay
import SNaP2PSession
import ServiceLifecycle

/// A SNaP2P node: one wallet identity that listens for and dials authenticated, encrypted sessions.
///
/// ```swift
/// let peer = Peer(configuration: PeerConfiguration(network: .testnet))
/// let listener = try await peer.listen(host: "127.0.0.1", port: 0)
/// let connection = try await otherPeer.dial("127.0.0.1:\(listener.port)")
/// let stream = try await connection.openStream(label: "chat")
/// try await stream.write(Array("hello".utf8))
/// ```
///
/// The wallet signs one node-key attestation (24 h by default) that every handshake presents; it
/// is re-issued before it runs out, so a peer can run for as long as it likes.
public final class Peer: Sendable {
    /// The identity this peer proves.
    public let wallet: any Wallet
    /// Settings every connection of this peer uses (the wallet's network wins over the one given).
    public let configuration: PeerConfiguration

    let eventLoopGroup: any EventLoopGroup
    /// This peer's part in the relay protocol.
    let relay: RelayNode
    /// What every session of this peer is made from, beside the configuration it runs with (which
    /// a dial may narrow, e.g. to a pinned principal) and the relay node serving its relay streams.
    let sessionIngredients: SessionIngredients

    var credentials: PeerCredentials { sessionIngredients.credentials }
    var bufferBudget: BufferBudget { sessionIngredients.bufferBudget }
    var metrics: PeerMetrics { sessionIngredients.metrics }
    var discovery: DiscoveryService { sessionIngredients.discovery }

    /// A peer with `wallet`'s identity, or a fresh throwaway one on the configuration's network.
    public convenience init(wallet: (any Wallet)? = nil, configuration: PeerConfiguration = PeerConfiguration()) {
        self.init(wallet: wallet, configuration: configuration, attestationClock: WallClock.unixSeconds)
    }

    /// `attestationClock` dates this peer's attestations; tests shift it to present stale ones.
    init(wallet: (any Wallet)?, configuration: PeerConfiguration, attestationClock: @escaping @Sendable () -> UInt64) {
        var configuration = configuration
        let wallet = wallet ?? LocalWallet.ephemeral(network: configuration.network)
        configuration.network = wallet.network
        self.wallet = wallet
        self.configuration = configuration
        self.eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        self.sessionIngredients = SessionIngredients(
            credentials: PeerCredentials(
                wallet: wallet,
                validity: configuration.attestationValidity,
                alias: configuration.alias,
                clock: attestationClock
            ),
            aliasBook: AliasBook(),
            bufferBudget: BufferBudget(limit: configuration.limits.bufferedBytes),
            metrics: PeerMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory),
            discovery: DiscoveryService(configuration: configuration, localPrincipal: wallet.principal)
        )
        self.relay = RelayNode(
            eventLoopGroup: eventLoopGroup, answerTimeout: configuration.handshakeTimeout,
            directUpgrade: configuration.directUpgrade && configuration.relay,
            upgradeTimeout: configuration.directUpgradeTimeout, clock: WallClock.unixSeconds
        ) { [configuration, ingredients = sessionIngredients] node, role, transport in
            var settings = ingredients.settings(
                configuration: configuration, relay: node, role: role, presentation: try await ingredients.credentials.current())
            settings.transport = transport
            return settings
        }
        relay.attachDirectConnector { [weak self] remote, plan in
            guard let self else { throw SNaP2PError.connectionFailed(reason: "the peer is gone") }
            return try await self.connect(simultaneouslyWith: remote, plan: plan, holdingIncomingStreams: true)
        }
    }

    /// The principal (`stacks:<address>`) remotes see.
    public var principal: Principal { wallet.principal }

    /// Binds `host:port` (port 0: a free port, see ``Listener/port``) and accepts connections.
    public func listen(host: String = "0.0.0.0", port: Int = 0) async throws -> Listener {
        let address = try PeerAddress(host: host, port: port)
        _ = try await credentials.current()
        let (connections, continuation) = AsyncStream.makeStream(
            of: Connection.self,
            bufferingPolicy: .bufferingOldest(Self.unacceptedConnectionLimit)
        )
        let (failures, failureContinuation) = AsyncStream.makeStream(
            of: FailedHandshake.self,
            bufferingPolicy: .bufferingNewest(Listener.failureBufferLimit)
        )
        let configuration = self.configuration
        let credentials = self.credentials
        let ingredients = sessionIngredients
        let metrics = self.metrics
        let discovery = self.discovery
        let relay = self.relay
        let sessions = SessionRegistry()
        let rateLimit = configuration.effectiveRateLimit
        let admission = SessionAdmission(limits: configuration.limits)
        let logger = configuration.logger
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture(withResultOf: {
                    // Out of file descriptors, shed a connection with a spare descriptor and pause
                    // accepting for a second, instead of retrying accept at 100% of a core.
                    try channel.pipeline.syncOperations.addHandler(AcceptDescriptorReserveHandler(logger: logger))
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false))
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptAdmissionHandler(rateLimit: rateLimit, admission: admission, logger: logger, metrics: metrics))
                })
            }
            .sessionChildChannelOptions()
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let established = channel.eventLoop.makePromise(of: Connection.self)
                    let closed = channel.eventLoop.makePromise(of: SNaP2PError?.self)
                    let handler = SessionHandler(
                        settings: ingredients.settings(configuration: configuration, relay: relay, role: .responder),
                        established: established,
                        closed: closed
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                    established.futureResult.whenComplete { _ in admission.handshakeEnded(channel) }
                    established.futureResult.whenSuccess { connection in
                        if let refusal = admission.admitSession(channel, of: connection.remotePrincipal) {
                            logger.debug("resource limit: closing a session", metadata: ["limit": "\(refusal.rawValue)"])
                            metrics.refused(.resourceLimit)
                            connection.link.execute { $0.close(code: .resourceExhausted) }
                            return
                        }
                        guard sessions.add(.init(link: connection.link, closed: closed.futureResult)) else {
                            metrics.refused(.draining)
                            connection.link.execute { $0.close(code: Listener.shutdownCode) }
                            return
                        }
                        switch continuation.yield(connection) {
                        case .enqueued:
                            break
                        case .dropped:
                            logger.debug("closing a connection the app is not accepting")
                            metrics.refused(.backlog)
                            connection.link.execute { $0.close(code: nil) }
                        case .terminated:
                            // The listener closed while this handshake was finishing.
                            metrics.refused(.draining)
                            connection.link.execute { $0.close(code: Listener.shutdownCode) }
                        @unknown default:
                            connection.link.execute { $0.close(code: nil) }
                        }
                    }
                    let remoteAddress = channel.remoteAddress?.displayText
                    established.futureResult.whenFailure { error in
                        let error = error as? SNaP2PError ?? .handshakeFailed(code: .internalError, reason: "\(error)")
                        failureContinuation.yield(FailedHandshake(remoteAddress: remoteAddress, error: error))
                    }
                }
            }
        let serverChannel: any Channel
        do {
            serverChannel = try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            throw SNaP2PError.connectionFailed(reason: "cannot listen on \(address.host):\(address.port): \(error)")
        }
        serverChannel.closeFuture.whenComplete { _ in
            continuation.finish()
            failureContinuation.finish()
        }
        let boundPort = serverChannel.localAddress?.port ?? address.port
        discovery.listening(host: address.host, port: boundPort, closed: serverChannel.closeFuture)
        logger.debug("listening", metadata: ["host": "\(address.host)", "port": "\(boundPort)"])
        let renewal = Task { [credentials] in await credentials.keepRenewed() }
        return Listener(
            host: address.host,
            port: boundPort,
            serverChannel: serverChannel,
            connections: connections,
            failedHandshakes: failures,
            renewal: renewal,
            sessions: sessions,
            shutdownGracePeriod: configuration.shutdownGracePeriod
        )
    }

    /// Dials `host:port` (`[ipv6]:port` for IPv6 literals) and completes the handshake.
    /// Pass the invite token a stealth listener gave out. Cancelling the task abandons the dial.
    /// With `reusableLocalPort` the connection leaves from that port (0: any free one) with
    /// `SO_REUSEADDR` and `SO_REUSEPORT`, so a ``SimultaneousOpen`` can later use the same port
    /// (see ``Connection/localAddress``).
    public func dial(_ address: String, inviteToken: [UInt8]? = nil, reusableLocalPort: Int? = nil) async throws -> Connection {
        let address = try PeerAddress(parsing: address)
        return try await dial(host: address.host, port: address.port, inviteToken: inviteToken, reusableLocalPort: reusableLocalPort)
    }

    /// Dials `host` (IPv4, IPv6 or a DNS name) on `port` and completes the handshake.
    public func dial(host: String, port: Int, inviteToken: [UInt8]? = nil, reusableLocalPort: Int? = nil) async throws -> Connection {
        try await connect(
            to: PeerAddress(host: host, port: port), inviteToken: inviteToken, pinnedTo: nil, reusableLocalPort: reusableLocalPort)
    }

    /// Dials `address` and completes the handshake; with `pinnedTo`, only a listener that proves
    /// that principal is admitted (``SNaP2PError/principalMismatch(expected:actual:)`` otherwise).
    /// A session that authenticates teaches the locator cache where its principal listens.
    /// `reusableLocalPort` as for ``dial(host:port:inviteToken:reusableLocalPort:)``.
    func connect(
        to address: PeerAddress, inviteToken: [UInt8]?, pinnedTo expected: Principal?, reusableLocalPort: Int? = nil
    ) async throws -> Connection {
        if let reusableLocalPort, !(0...65535).contains(reusableLocalPort) {
            throw SNaP2PError.invalidAddress("local port \(reusableLocalPort)")
        }
        var configuration = self.configuration
        let pin = expected.map { PinnedPrincipalPolicy($0, within: configuration.authorization) }
        if let pin { configuration.authorization = pin }
        let settings = sessionIngredients.settings(
            configuration: configuration, relay: relay, role: .initiator, inviteToken: inviteToken,
            presentation: try await credentials.current())
        let eventLoop = eventLoopGroup.next()
        let established = eventLoop.makePromise(of: Connection.self)
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .sessionChannelOptions()
        if let reusableLocalPort {
            let local = try SocketAddress.wildcard(port: reusableLocalPort, ipv6: address.host.contains(":"))
            bootstrap = bootstrap.reusableLocalPort().bind(to: local)
        }
        bootstrap = bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Made here, not before connecting: a dial that fails before a channel exists
                    // (a name that does not resolve) must not leave a promise behind.
                    let closed = channel.eventLoop.makePromise(of: SNaP2PError?.self)
                    try channel.pipeline.syncOperations.addHandler(
                        SessionHandler(settings: settings, established: established, closed: closed)
                    )
                }
            }
        // An IP literal needs no resolver: connecting to it directly spares a getaddrinfo call on
        // another thread (about a tenth of a dialer's CPU per handshake, and two thread hops).
        let connect =
            if let literal = try? SocketAddress(ipAddress: address.host, port: address.port) {
                bootstrap.connect(to: literal)
            } else {
                bootstrap.connect(host: address.host, port: address.port)
            }
        connect.whenFailure { established.fail($0) }
        return try await withTaskCancellationHandler {
            do {
                let connection = try await established.futureResult.get()
                if let locator = try? Locator(host: address.host, port: address.port) {
                    discovery.learn(locator, of: connection.remotePrincipal)
                }
                return connection
            } catch let error as SNaP2PError {
                if Task.isCancelled { throw CancellationError() }
                if let pin, let actual = pin.refused {
                    throw SNaP2PError.principalMismatch(expected: pin.expected, actual: actual)
                }
                // A refused connect closes the channel, and the handler may report that close
                // before the connect's own failure arrives: the connect's error is the one that says why.
                do {
                    _ = try await connect.get()
                } catch {
                    throw SNaP2PError.connectionFailed(reason: "\(address.host):\(address.port): \(error)")
                }
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                throw SNaP2PError.connectionFailed(reason: "\(address.host):\(address.port): \(error)")
            }
        } onCancel: {
            established.fail(CancellationError())
            connect.whenSuccess { $0.close(promise: nil) }
        }
    }

    /// Handshakes that finished but were not yet taken from the listener; more are closed.
    static let unacceptedConnectionLimit = 256
    /// Larger than NIO's 32/64 KiB default so whole 64 KiB frames flow without stalls.
    static let writeBufferWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 1 << 20, high: 4 << 20)
    /// Reads grow up to 1 MiB under load (NIO's default stops at 64 KiB), so a whole 64 KiB frame
    /// usually arrives in one read and is decrypted in place instead of being reassembled.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 1 << 20)
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// As a `Service`, a peer keeps what it presents fresh (its node-key attestation and alias card,
/// re-signed in the last quarter of their validity) until graceful shutdown or cancellation, so a
/// long-running dialer never presents a stale one. Run its listeners as services of their own.
extension Peer: Service {
    /// Renews the peer's credentials until graceful shutdown or cancellation.
    public func run() async {
        await cancelWhenGracefulShutdown { [credentials] in await credentials.keepRenewed() }
    }
}

/// The peer-wide parts of every session's ``SessionSettings``: identity, alias book, buffer
/// budget, metrics and discovery.
struct SessionIngredients: Sendable {
    /// The node key and the attestation (and alias card) it presents, renewed before they expire.
    let credentials: PeerCredentials
    /// The alias cards remotes presented, shared by all of this peer's connections.
    let aliasBook: AliasBook
    /// Unread stream bytes of all this peer's sessions, against ``ResourceLimits/bufferedBytes``.
    let bufferBudget: BufferBudget
    let metrics: PeerMetrics
    /// PX-1: the locator cache, the sessions to ask, where this peer listens.
    let discovery: DiscoveryService

    /// The settings of one session in `role`, presenting `presentation` (the latest when `nil`).
    func settings(
        configuration: PeerConfiguration,
        relay: RelayNode,
        role: HandshakeRole,
        inviteToken: [UInt8]? = nil,
        presentation: PeerPresentation? = nil
    ) -> SessionSettings {
        let presentation = presentation ?? credentials.latest
        var logger = configuration.logger
        logger[metadataKey: "role"] = role == .initiator ? "dialer" : "listener"
        let handshake = HandshakeConfiguration(
            role: role,
            nodeKey: credentials.nodeKey,
            attestation: presentation.attestation,
            network: configuration.network,
            visibility: configuration.visibility,
            capabilities: configuration.capabilities.map(\.rawValue),
            inviteToken: inviteToken,
            inviteTokenVerifier: configuration.inviteTokens,
            authorizationPolicy: configuration.authorization,
            noisePolicy: configuration.noisePolicy,
            aliasCard: presentation.aliasCard
        )
        var streamProtocols = configuration.streamProtocols
        if discovery.policy.isEnabled {
            streamProtocols.register(PXLimits.streamLabel) { stream, connection in
                await discovery.serve(stream, from: connection)
            }
        }
        // `relay-1` streams are the relay protocol's, whatever the application registered.
        streamProtocols.register(RelayProtocol.streamLabel) { stream, connection in await relay.serve(stream, on: connection) }
        if relay.directUpgradeEnabled {
            streamProtocols.register(UpgradeMessage.streamLabel) { stream, connection in
                await relay.serveUpgrade(stream, on: connection)
            }
        }
        return SessionSettings(
            session: SessionConfiguration(
                handshake: handshake,
                handshakeTimeout: configuration.handshakeTimeout,
                keepalive: KeepaliveStateMachine.Configuration(
                    interval: Self.wholeSeconds(configuration.keepalive.interval),
                    timeout: Self.wholeSeconds(configuration.keepalive.timeout)
                ),
                maximumStreams: configuration.maximumStreams,
                receiveBuffer: configuration.receiveBuffer
            ),
            streamProtocols: streamProtocols,
            aliasBook: aliasBook,
            bufferBudget: bufferBudget,
            logger: logger,
            metrics: metrics,
            discovery: discovery
        )
    }

    /// Keepalive counts in whole seconds; anything shorter rounds up to one.
    private static func wholeSeconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(1, seconds + (attoseconds > 0 ? 1 : 0)))
    }
}
