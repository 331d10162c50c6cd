import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) as events instead of the default of killing the process, so a chat can say
/// goodbye to the other side first.
final class InterruptSignals {
    /// One element per SIGINT.
    let events: AsyncStream<Void>
    private let source: any DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        let (events, continuation) = AsyncStream.makeStream(of: Void.self)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        self.events = events
        self.source = source
    }

    /// Stops catching SIGINT.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
