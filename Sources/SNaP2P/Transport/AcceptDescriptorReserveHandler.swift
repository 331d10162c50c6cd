#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Keeps a listener healthy at its file-descriptor limit. When `accept` fails with EMFILE or
/// ENFILE, the pending connection stays in the kernel's backlog and the listening socket stays
/// readable, so the event loop would call `accept` again at once, forever, at 100% of a core (NIO's
/// `AcceptBackoffHandler` alone cannot stop it: the failed read leaves the socket registered).
///
/// The classic remedy (libuv, nginx): hold one spare descriptor. On EMFILE the spare is closed, so
/// the retried `accept` succeeds; that connection is closed at once (refused: the existing sessions
/// keep their descriptors), which frees the slot to take the spare back. `AcceptBackoffHandler`
/// behind this handler then pauses accepting for a second, so at the limit the listener sheds about
/// one connection a second and otherwise sleeps.
final class AcceptDescriptorReserveHandler: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let reserve = DescriptorReserve()
    private let logger: Logger
    /// The next accepted connection used the spare descriptor and is to be closed.
    private var shedNext = false

    init(logger: Logger) {
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        reserve.restore()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        reserve.release()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let code = (error as? IOError)?.errnoCode, code == EMFILE || code == ENFILE {
            if reserve.release() {
                logger.debug("out of file descriptors: refusing new connections until some are free")
                shedNext = true
            }
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard shedNext else {
            context.fireChannelRead(data)
            return
        }
        shedNext = false
        let child = Self.unwrapInboundIn(data)
        let reserve = self.reserve
        child.close().whenComplete { _ in reserve.restore() }
    }
}

/// One spare descriptor (`/dev/null`), given up when the process runs out and taken back after.
private final class DescriptorReserve: Sendable {
    private let descriptor = NIOLockedValueBox<Int32?>(nil)

    /// Opens the spare if it is not held (it may fail while the process is still at its limit).
    func restore() {
        descriptor.withLockedValue { held in
            guard held == nil else { return }
            let opened = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if opened >= 0 { held = opened }
        }
    }

    /// Closes the spare; false when none was held.
    @discardableResult
    func release() -> Bool {
        descriptor.withLockedValue { held in
            guard let open = held else { return false }
            close(open)
            held = nil
            return true
        }
    }
}
