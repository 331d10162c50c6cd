import NIOCore
import SNaP2PWire
import ServiceLifecycle

/// A listening socket: an async sequence of the connections that completed their handshake.
///
/// Connections that fail the handshake (bad attestation, not allowed, no invite token, garbage)
/// never appear here; the remote learns why, the failure is reported on ``failedHandshakes``, and
/// the listener carries on. Closing the listener stops accepting; established connections stay open.
/// ``shutdown(gracePeriod:)`` also drains them, and as a swift-service-lifecycle `Service` the
/// listener does that on graceful shutdown.
public final class Listener: AsyncSequence, Sendable {
    public typealias Element = Connection

    /// The address the socket is bound to.
    public let host: String
    /// The bound port (the ephemeral port chosen by the system when asked for port 0).
    public let port: Int
    /// Inbound connections whose handshake failed, for logs and monitoring; the newest
    /// ``failureBufferLimit`` are kept while nobody reads. Ends when the listener closes.
    public let failedHandshakes: AsyncStream<FailedHandshake>
    /// How many unread ``failedHandshakes`` are kept (older ones are dropped).
    public static let failureBufferLimit = 64

    private let serverChannel: any Channel
    private let connections: AsyncStream<Connection>
    private let renewal: Task<Void, Never>
    private let sessions: SessionRegistry
    private let shutdownGracePeriod: Duration

    init(
        host: String,
        port: Int,
        serverChannel: any Channel,
        connections: AsyncStream<Connection>,
        failedHandshakes: AsyncStream<FailedHandshake>,
        renewal: Task<Void, Never>,
        sessions: SessionRegistry,
        shutdownGracePeriod: Duration
    ) {
        self.host = host
        self.port = port
        self.failedHandshakes = failedHandshakes
        self.serverChannel = serverChannel
        self.connections = connections
        self.renewal = renewal
        self.sessions = sessions
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    deinit {
        renewal.cancel()
        serverChannel.close(promise: nil)
    }

    /// Stops accepting connections and ends the sequence.
    public func close() async {
        renewal.cancel()
        try? await serverChannel.close()
    }

    /// Shuts down gracefully: stops accepting (a dial is refused by the system at once), lets
    /// every session finish its open streams for up to `gracePeriod` (each closes as soon as it
    /// has none), then closes those left with CONNECTION_CLOSED, which their remotes see as
    /// ``SNaP2PError/connectionClosed(code:reason:)``. Returns once every session has ended.
    /// Cancelling the task, or calling again with a shorter period, cuts the grace period short.
    public func shutdown(gracePeriod: Duration) async {
        await close()
        let draining = sessions.beginDraining()
        for session in draining { session.link.execute { $0.drain() } }
        await Self.wait(for: draining, upTo: gracePeriod, on: serverChannel.eventLoop)
        for session in draining { session.link.execute { $0.close(code: Self.shutdownCode) } }
        // A closed session ends at once (its socket closes after the output is written).
        for session in draining { _ = try? await session.closed.get() }
    }

    /// The code a remote sees when a shutdown closes its session: CONNECTION_CLOSED.
    public static let shutdownCode = ProtocolErrorCode.connectionClosed

    /// Waits until every session in `sessions` has ended, `limit` has passed, or the task is cancelled.
    private static func wait(for sessions: [SessionRegistry.Entry], upTo limit: Duration, on eventLoop: any EventLoop) async {
        guard !sessions.isEmpty else { return }
        let done = eventLoop.makePromise(of: Void.self)
        EventLoopFuture.andAllComplete(sessions.map(\.closed), on: eventLoop).cascade(to: done)
        let deadline = eventLoop.scheduleTask(in: TimeAmount(limit)) { done.succeed() }
        await withTaskCancellationHandler {
            try? await done.futureResult.get()
        } onCancel: {
            done.succeed()
        }
        deadline.cancel()
    }

    private func closeNow() {
        renewal.cancel()
        serverChannel.close(promise: nil)
    }

    /// Iterating is accepting: one iterator at a time.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(listener: self, base: connections.makeAsyncIterator())
    }

    /// Yields each authenticated connection; ends when the listener is closed. The task that
    /// iterates owns the listener: cancelling it closes the listener.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let listener: Listener
        var base: AsyncStream<Connection>.AsyncIterator

        /// The next connection, or `nil` once the listener is closed.
        public mutating func next() async -> Connection? {
            let listener = self.listener
            return await withTaskCancellationHandler {
                await base.next()
            } onCancel: {
                listener.closeNow()
            }
        }
    }
}

/// As a `Service`, a listener runs until graceful shutdown (or cancellation), then shuts down
/// with ``PeerConfiguration/shutdownGracePeriod`` (none when cancelled). Serve its connections
/// in another task; that iteration ends when the listener stops accepting.
extension Listener: Service {
    /// Waits for graceful shutdown or cancellation, then calls ``shutdown(gracePeriod:)``.
    public func run() async {
        try? await gracefulShutdown()
        await shutdown(gracePeriod: shutdownGracePeriod)
    }
}
