import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SNaP2PWire

/// A TCP relay on 127.0.0.1 between a dialer and a listener that can corrupt, rewrite or swallow
/// the dialer's bytes on command: the attacker on the path.
public final class TamperingProxy: Sendable {
    public enum Mode: Sendable {
        /// Relay faithfully.
        case relay
        /// Flip the last bit of the next chunk from the dialer, then relay faithfully.
        case flipNextByte
        /// Drop everything from the dialer from now on.
        case blackhole
        /// On every connection, cut the dialer's bytes into frames and replace the body of its
        /// frame `number` (1-based) with what `rewrite` returns; relay everything else as it is.
        case rewriteDialerFrame(number: Int, rewrite: @Sendable ([UInt8]) -> [UInt8])
    }

    /// The port dialers connect to.
    public let port: Int
    private let serverChannel: any Channel
    private let mode: NIOLockedValueBox<Mode>

    private init(port: Int, serverChannel: any Channel, mode: NIOLockedValueBox<Mode>) {
        self.port = port
        self.serverChannel = serverChannel
        self.mode = mode
    }

    /// Relays connections on an ephemeral port to 127.0.0.1:`targetPort`. A dialer's socket is
    /// registered (and read) only once its relay to the target is in place, so no byte is lost.
    public static func start(targetPort: Int, mode initialMode: Mode = .relay) async throws -> TamperingProxy {
        let mode = NIOLockedValueBox(initialMode)
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

    /// Changes what happens to the dialers' bytes from now on.
    public func set(_ newMode: Mode) {
        mode.withLockedValue { $0 = newMode }
    }

    /// Stops accepting; relays already running go on until their connections close.
    public func close() async {
        try? await serverChannel.close()
    }

    /// Copies one direction; `mode` is set on the dialer-to-listener direction only.
    private final class Relay: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let peer: any Channel
        let mode: NIOLockedValueBox<Mode>?
        /// For ``Mode/rewriteDialerFrame(number:rewrite:)``: the frames cut so far on this connection.
        private var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
        private var framesSeen = 0

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
            case .rewriteDialerFrame(let number, let rewrite):
                guard framesSeen < number else { break }
                decoder.append(buffer.readableBytesView)
                var out: [UInt8] = []
                while framesSeen < number, let frame = try? decoder.nextFrame() {
                    framesSeen += 1
                    out += Framing.frame(framesSeen == number ? rewrite(frame) : frame)
                }
                if framesSeen == number { out += decoder.takeBufferedBytes() }
                buffer = context.channel.allocator.buffer(bytes: out)
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
