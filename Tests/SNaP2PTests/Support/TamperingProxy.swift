import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP relay on 127.0.0.1 between a dialer and a listener that can corrupt or swallow the
/// dialer's bytes on command: the attacker on the path.
final class TamperingProxy: Sendable {
    enum Mode: Sendable {
        /// Relay faithfully.
        case relay
        /// Flip the last bit of the next chunk from the dialer, then relay faithfully.
        case flipNextByte
        /// Drop everything from the dialer from now on.
        case blackhole
    }

    let port: Int
    private let serverChannel: any Channel
    private let mode: NIOLockedValueBox<Mode>

    private init(port: Int, serverChannel: any Channel, mode: NIOLockedValueBox<Mode>) {
        self.port = port
        self.serverChannel = serverChannel
        self.mode = mode
    }

    /// Relays connections on an ephemeral port to 127.0.0.1:`targetPort`. A dialer's socket is
    /// registered (and read) only once its relay to the target is in place, so no byte is lost.
    static func start(targetPort: Int) async throws -> TamperingProxy {
        let mode = NIOLockedValueBox(Mode.relay)
        let group = MultiThreadedEventLoopGroup.singleton
        let serverChannel = try await ServerBootstrap(group: group)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        inbound.eventLoop.makeCompletedFuture {
                            try inbound.pipeline.syncOperations.addHandler(Relay(peer: outbound, mode: mode))
                            try outbound.pipeline.syncOperations.addHandler(Relay(peer: inbound, mode: nil))
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TamperingProxy(port: serverChannel.localAddress!.port!, serverChannel: serverChannel, mode: mode)
    }

    func set(_ newMode: Mode) {
        mode.withLockedValue { $0 = newMode }
    }

    func close() async {
        try? await serverChannel.close()
    }

    /// Copies one direction; `mode` is set on the dialer-to-listener direction only.
    private final class Relay: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let peer: any Channel
        let mode: NIOLockedValueBox<Mode>?

        init(peer: any Channel, mode: NIOLockedValueBox<Mode>?) {
            self.peer = peer
            self.mode = mode
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = Self.unwrapInboundIn(data)
            let current = mode?.withLockedValue { mode in
                defer { if case .flipNextByte = mode { mode = .relay } }
                return mode
            } ?? .relay
            switch current {
            case .relay:
                break
            case .flipNextByte:
                let last = buffer.writerIndex - 1
                buffer.setInteger(buffer.getInteger(at: last, as: UInt8.self)! ^ 0x01, at: last)
            case .blackhole:
                return
            }
            peer.writeAndFlush(buffer, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.close(promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
