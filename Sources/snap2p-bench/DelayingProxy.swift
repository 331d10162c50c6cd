import NIOCore
import NIOPosix

/// A TCP forwarder on 127.0.0.1 that holds every chunk `delay` in each direction before passing it
/// on, in order: a path with a round-trip time of about twice `delay` (this kernel has no netem),
/// so flow-control windows show what they cost over a real distance. Each connection to it opens
/// one to the target; both run on one event loop. It reads a side only while the other side's
/// socket keeps up, so it holds about `delay` worth of data per direction, like a link.
struct DelayingProxy {
    let port: Int
    private let server: Channel

    static func start(forwardingTo targetPort: Int, delay: Duration) async throws -> DelayingProxy {
        let delay = TimeAmount.nanoseconds(Int64(Benchmark.seconds(delay) * 1e9))
        let watermark = ChannelOptions.Types.WriteBufferWaterMark(low: 1 << 20, high: 4 << 20)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.writeBufferWaterMark, value: watermark)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.writeBufferWaterMark, value: watermark)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture {
                            try outbound.pipeline.syncOperations.addHandler(DelayLine(partner: inbound, delay: delay))
                        }
                    }
                    .connect(host: "127.0.0.1", port: targetPort)
                    .assumeIsolated()
                    .flatMapThrowing { outbound in
                        try inbound.pipeline.syncOperations.addHandler(DelayLine(partner: outbound, delay: delay))
                    }
                    .nonisolated()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return DelayingProxy(port: server.localAddress!.port!, server: server)
    }

    func close() async throws {
        try await server.close()
    }

    /// One direction: what its channel reads goes to `partner` once `delay` has passed; its
    /// channel's end closes the partner after the data before it.
    private final class DelayLine: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let partner: Channel
        private let delay: TimeAmount
        /// Chunks not yet due, oldest first; a nil chunk is the end.
        private var held = CircularBuffer<(due: NIODeadline, chunk: ByteBuffer?)>()

        init(partner: Channel, delay: TimeAmount) {
            self.partner = partner
            self.delay = delay
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            hold(Self.unwrapInboundIn(data), context: context)
        }

        func channelInactive(context: ChannelHandlerContext) {
            hold(nil, context: context)
            context.fireChannelInactive()
        }

        /// The partner's reads go to this channel: read them only while it keeps up.
        func channelWritabilityChanged(context: ChannelHandlerContext) {
            try? partner.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
            context.fireChannelWritabilityChanged()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        private func hold(_ chunk: ByteBuffer?, context: ChannelHandlerContext) {
            held.append((.now() + delay, chunk))
            if held.count == 1 { scheduleRelease(context: context) }
        }

        private func scheduleRelease(context: ChannelHandlerContext) {
            guard let due = held.first?.due else { return }
            context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { self.release(context: context) }
        }

        /// Forwards every chunk that is due, in order, then waits for the next.
        private func release(context: ChannelHandlerContext) {
            let now = NIODeadline.now()
            while let first = held.first, first.due <= now {
                held.removeFirst()
                guard let chunk = first.chunk else {
                    partner.close(promise: nil)
                    return
                }
                partner.write(chunk, promise: nil)
            }
            partner.flush()
            if !partner.isWritable { try? context.channel.syncOptions?.setOption(.autoRead, value: false) }
            scheduleRelease(context: context)
        }
    }
}
