import NIOCore

/// How the async API reaches a session's handler: every call hops onto the connection's event
/// loop, where the handler owns all protocol state, so nothing is shared between threads but the
/// messages themselves.
struct SessionLink: Sendable {
    let eventLoop: any EventLoop
    private let handler: NIOLoopBound<SessionHandler>

    init(handler: SessionHandler, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    /// Runs `body` on the event loop, now if already there.
    func execute(_ body: @escaping @Sendable (SessionHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            let handler = self.handler
            eventLoop.execute { body(handler.value) }
        }
    }

    /// Runs `body` on the event loop and waits for the promise it is handed.
    func submit<Value: Sendable>(
        _ body: @escaping @Sendable (SessionHandler, EventLoopPromise<Value>) -> Void
    ) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        execute { body($0, promise) }
        return try await promise.futureResult.get()
    }
}
