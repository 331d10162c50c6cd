import NIOConcurrencyHelpers
import NIOCore
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession

/// An authenticated, encrypted session with one remote peer, carrying any number of streams.
///
/// Dropping the last reference to a connection closes it, so a task that fails cannot leak one.
public final class Connection: Sendable {
    /// The remote's proven identity.
    public let remotePrincipal: Principal
    /// This side's identity.
    public let localPrincipal: Principal
    /// The 32-byte session id the listener chose.
    public let sessionID: [UInt8]
    /// The optional protocol features both sides announced (today `fc1`, flow control).
    public let features: SessionFeatures
    /// Whether both sides offered `fc1`, so streams have flow-control windows.
    public var isFlowControlled: Bool { features.isFlowControlled }
    /// The Noise key schedule the handshake negotiated: `.standard` between Swift peers,
    /// `.reference` with the TypeScript implementation (see ``NoiseSchedulePolicy``).
    public let noiseSchedule: NoiseKeySchedule
    /// The remote's IP address and port as text, when known (never for a relayed connection).
    public var remoteAddress: String? {
        if case .direct(let address) = path { address } else { nil }
    }
    /// How the session's bytes travel: directly over TCP, or through a relay. After a direct
    /// upgrade, the direct session's path: new streams take it, while streams opened before finish
    /// on the relayed one.
    public var path: ConnectionPath { carrier.withLockedValue { $0.path } }
    /// This side's IP address and port as text, when known: for a dial, the local port it left
    /// from (the one to reuse for a ``SimultaneousOpen``); `nil` for a relayed connection.
    public var localAddress: String? { localSocketAddress?.displayText }
    /// How the remote sees this side, as `ip:port` text, when both announced `obs1`: behind a NAT,
    /// the NAT's public address and the port it mapped this connection to (the remote's word, to
    /// tell others where to reach this peer; never evidence of identity). `nil` otherwise.
    public let observedLocalAddress: String?
    /// The remote's alias card, verified for ``remotePrincipal``: the latest this peer received
    /// from that principal (in this session or a later one), `nil` if none or once it expired.
    /// Aliases are not unique; show one only beside the principal.
    public var remoteAlias: AliasCard? { aliasBook.card(of: remotePrincipal, at: WallClock.unixSeconds()) }

    /// For a relayed connection, where this side reaches the relay (a direct upgrade leaves from there).
    let relayOrigin: DirectUpgrade.Origin?
    /// The direct upgrade's outcome, once known; whether one has begun.
    private let upgradeOutcome: EventLoopPromise<DirectUpgradeOutcome>
    private let upgradeBegun = NIOLockedValueBox(false)

    /// The session the connection started with.
    let link: SessionLink
    /// The session that carries new streams: this connection's own, or a direct one it upgraded to.
    private let carrier: NIOLockedValueBox<Carrier>
    private let incomingSink: IncomingStreamSink
    /// This side's address of the socket, when known (for PX-1 hints about where we listen); `nil`
    /// for a relayed connection.
    let localSocketAddress: SocketAddress?
    /// Completes when the session has ended, with its error (`nil`: a clean close).
    let closeFuture: EventLoopFuture<SNaP2PError?>
    private let aliasBook: AliasBook
    private let incoming: AsyncStream<SNaP2PStream>

    init(
        info: EstablishedSessionInfo,
        path: ConnectionPath,
        localAddress: SocketAddress?,
        observedLocalAddress: String?,
        relayOrigin: DirectUpgrade.Origin?,
        aliasBook: AliasBook,
        link: SessionLink,
        incoming: AsyncStream<SNaP2PStream>,
        incomingSink: IncomingStreamSink,
        closeFuture: EventLoopFuture<SNaP2PError?>
    ) {
        self.remotePrincipal = info.remotePrincipal
        self.localPrincipal = info.localPrincipal
        self.sessionID = info.sessionID
        self.features = info.features
        self.noiseSchedule = info.noiseSchedule
        self.carrier = NIOLockedValueBox(Carrier(link: link, path: path, closeFuture: closeFuture, upgrade: nil))
        self.incomingSink = incomingSink
        self.localSocketAddress = localAddress
        self.observedLocalAddress = observedLocalAddress
        self.relayOrigin = relayOrigin
        let outcome = closeFuture.eventLoop.makePromise(of: DirectUpgradeOutcome.self)
        self.upgradeOutcome = outcome
        // A direct connection has nothing to upgrade; a relayed one that ends first never will.
        if !path.isRelayed { outcome.succeed(.notAttempted(reason: "the connection is direct")) }
        closeFuture.whenComplete { _ in outcome.succeed(.notAttempted(reason: "the connection ended")) }
        self.aliasBook = aliasBook
        self.link = link
        self.incoming = incoming
        self.closeFuture = closeFuture
    }

    deinit {
        link.execute { $0.close(code: nil) }
    }

    /// Opens a stream (OPEN_STREAM). Data may be written at once.
    /// Throws ``SNaP2PError/streamRefused(code:)`` when this side already has the maximum open.
    public func openStream(label: String? = nil) async throws -> SNaP2PStream {
        let link = carrier.withLockedValue { $0.link }
        return try await link.submit(orThrow: .connectionClosed(code: .connectionClosed, reason: "the connection is closed")) {
            handler, promise in handler.openStream(label: label, promise: promise)
        }
    }

    /// The streams the remote opens, in order; ends when the connection closes.
    public var incomingStreams: IncomingStreams { IncomingStreams(connection: self) }

    /// Closes the session and every stream in it. Bytes already written are sent first.
    public func close() async {
        let upgrade = carrier.withLockedValue { $0.upgrade }
        link.execute { $0.close(code: nil) }
        if let upgrade { await upgrade.close() }
        _ = try? await closeFuture.get()
    }

    /// Waits until the session has ended; returns why when it ended with an error, `nil` when
    /// it was closed cleanly (by either side's ``close()``). After a direct upgrade, the direct
    /// session's end counts; the relayed one's does not.
    public func closed() async -> SNaP2PError? {
        while true {
            let current = carrier.withLockedValue { $0.closeFuture }
            let error = (try? await current.get()) ?? nil
            if carrier.withLockedValue({ $0.closeFuture === current }) { return error }
        }
    }

    /// Waits for the outcome of this connection's direct upgrade (docs/NAT-TRAVERSAL.md): a
    /// relayed connection between two peers that offer `upgrade1` tries, as soon as it is made, to
    /// move onto a direct TCP connection; on success new streams go over it (see ``path``), on
    /// failure the relayed path goes on. Returns at once for a direct connection, and when the
    /// connection ends before an outcome. Cancelling the waiting task returns
    /// `.failed(reason: "no outcome yet: the wait was cancelled")` at once; the upgrade goes on.
    public func directUpgrade() async -> DirectUpgradeOutcome {
        let waiter = NIOLockedValueBox<CheckedContinuation<DirectUpgradeOutcome, Never>?>(nil)
        let resume: @Sendable (DirectUpgradeOutcome) -> Void = { outcome in
            waiter.withLockedValue { continuation in
                continuation?.resume(returning: outcome)
                continuation = nil
            }
        }
        let cancelled = DirectUpgradeOutcome.failed(reason: "no outcome yet: the wait was cancelled")
        let future = upgradeOutcome.futureResult
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter.withLockedValue { $0 = continuation }
                // Cancelled before the continuation was in place: the handler found nothing to resume.
                if Task.isCancelled { resume(cancelled) }
                future.whenSuccess { resume($0) }
            }
        } onCancel: {
            resume(cancelled)
        }
    }

    /// Claims the one direct upgrade attempt of this connection; false when one has begun.
    func beginUpgrade() -> Bool {
        upgradeBegun.withLockedValue { begun in
            defer { begun = true }
            return !begun
        }
    }

    /// Records the direct upgrade's outcome (the first one recorded counts).
    func finishUpgrade(_ outcome: DirectUpgradeOutcome) {
        upgradeOutcome.succeed(outcome)
    }

    /// Moves this connection onto `direct`, a session with the same remote over a direct path
    /// (hole punching's result): new streams, and the streams the remote opens there, go over it;
    /// streams already open go on over the session they started on. `direct` is the connection's
    /// from now on and must not be used on its own. False (nothing changed) when `direct` proves
    /// other principals or has already ended. See ``retireReplacedSession()``.
    func upgrade(to direct: Connection) async -> Bool {
        guard direct !== self, direct.remotePrincipal == remotePrincipal, direct.localPrincipal == localPrincipal else { return false }
        let sink = incomingSink
        let carried = try? await direct.link.submit(orThrow: .connectionClosed(code: .connectionClosed, reason: nil)) {
            [weak self] handler, promise in
            guard let self else { return promise.succeed(false) }
            promise.succeed(handler.carry(self, into: sink))
        }
        guard carried == true else { return false }
        carrier.withLockedValue { $0 = Carrier(link: direct.link, path: direct.path, closeFuture: direct.closeFuture, upgrade: direct) }
        return true
    }

    /// After an upgrade, closes the session the connection started on as soon as its open streams
    /// have ended. Only once the remote has switched too: a stream it opened there before its own
    /// upgrade may still be on its way (the upgrade protocol orders that).
    func retireReplacedSession() {
        guard carrier.withLockedValue({ $0.upgrade != nil }) else { return }
        link.execute { $0.drain() }
    }

    /// Which session carries new streams.
    private struct Carrier: Sendable {
        var link: SessionLink
        var path: ConnectionPath
        var closeFuture: EventLoopFuture<SNaP2PError?>
        /// The direct session upgraded to, kept open as long as this connection.
        var upgrade: Connection?
    }

    /// Streams opened by the remote.
    public struct IncomingStreams: AsyncSequence, Sendable {
        public typealias Element = SNaP2PStream
        let connection: Connection

        /// One iterator at a time.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(connection: connection, base: connection.incoming.makeAsyncIterator())
        }

        /// Yields each stream the remote opens.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let connection: Connection
            var base: AsyncStream<SNaP2PStream>.AsyncIterator

            /// The next stream the remote opened, or `nil` once the connection has ended.
            public mutating func next() async -> SNaP2PStream? {
                await base.next()
            }
        }
    }
}
