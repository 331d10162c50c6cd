import NIOCore

/// A listening socket: an async sequence of the connections that completed their handshake.
///
/// Connections that fail the handshake (bad attestation, not allowed, no invite token, garbage)
/// never appear here; the remote learns why, the failure is reported on ``failedHandshakes``, and
/// the listener carries on. Closing the listener stops accepting; established connections stay open.
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

    init(
        host: String,
        port: Int,
        serverChannel: any Channel,
        connections: AsyncStream<Connection>,
        failedHandshakes: AsyncStream<FailedHandshake>,
        renewal: Task<Void, Never>
    ) {
        self.host = host
        self.port = port
        self.failedHandshakes = failedHandshakes
        self.serverChannel = serverChannel
        self.connections = connections
        self.renewal = renewal
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
