import NIOCore

/// How the async API reaches a session's handler: every call is queued onto the connection's
/// event loop, where the handler owns all protocol state, so nothing is shared between threads
/// and nothing re-enters the handler while it is working. The handler is held weakly: a
/// connection or stream the application keeps never keeps a closed session alive.
struct SessionLink: Sendable {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<WeakHandler>

    private final class WeakHandler {
        weak var handler: SessionHandler?
        init(_ handler: SessionHandler) { self.handler = handler }
    }

    init(handler: SessionHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(WeakHandler(handler), eventLoop: eventLoop)
    }

    /// Runs `body` on the event loop, after whatever is already queued there; not at all once the
    /// session's handler is gone.
    func execute(_ body: @escaping @Sendable (SessionHandler) -> Void) {
        let handler = self.handler
        eventLoop.execute {
            if let handler = handler.value.handler { body(handler) }
        }
    }

    /// Runs `body` on the event loop and waits for the promise it is handed; throws `gone` when
    /// the handler no longer exists.
    func submit<Value: Sendable>(
        orThrow gone: SNaP2PError,
        _ body: @escaping @Sendable (SessionHandler, EventLoopPromise<Value>) -> Void
    ) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        let handler = self.handler
        eventLoop.execute {
            if let handler = handler.value.handler {
                body(handler, promise)
            } else {
                promise.fail(gone)
            }
        }
        return try await promise.futureResult.get()
    }

    /// Whether the session's handler still exists; it is gone once its channel has closed.
    func isAttached() async -> Bool {
        let handler = self.handler
        return (try? await eventLoop.submit { handler.value.handler != nil }.get()) ?? false
    }
}
