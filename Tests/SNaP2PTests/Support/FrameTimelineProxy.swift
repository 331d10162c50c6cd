import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SNaP2PWire

/// A TCP relay on 127.0.0.1 that cuts both directions into frames, notes when each frame passes,
/// and can hold back the listener's frames from a given one on, to check who waits for whom.
final class FrameTimelineProxy: Sendable {
    enum Side: Sendable { case dialer, listener }

    /// A frame the relay forwarded: who sent it, its 1-based number in that direction, and when
    /// it went on to the other side.
    struct Passage: Sendable {
        let from: Side
        let number: Int
        let forwardedAt: ContinuousClock.Instant
    }

    let port: Int
    private let serverChannel: any Channel
    private let log: NIOLockedValueBox<[Passage]>

    private init(port: Int, serverChannel: any Channel, log: NIOLockedValueBox<[Passage]>) {
        self.port = port
        self.serverChannel = serverChannel
        self.log = log
    }

    /// Relays to 127.0.0.1:`targetPort`, holding the listener's frames numbered `holdFrom` and
    /// later for `delay` (counted from when the first of them arrives).
    static func start(targetPort: Int, holdListenerFramesFrom holdFrom: Int, delay: Duration) async throws -> FrameTimelineProxy {
        let log = NIOLockedValueBox<[Passage]>([])
        let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMap { outbound in
                        inbound.eventLoop.makeCompletedFuture {
                            try inbound.pipeline.syncOperations.addHandler(
                                Relay(side: .dialer, peer: outbound, log: log, holdFrom: nil, delay: delay))
                            try outbound.pipeline.syncOperations.addHandler(
                                Relay(side: .listener, peer: inbound, log: log, holdFrom: holdFrom, delay: delay))
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return FrameTimelineProxy(port: serverChannel.localAddress!.port!, serverChannel: serverChannel, log: log)
    }

    /// When frame `number` from `side` was forwarded, if it has been.
    func forwarded(_ side: Side, _ number: Int) -> ContinuousClock.Instant? {
        log.withLockedValue { $0.first { $0.from == side && $0.number == number }?.forwardedAt }
    }

    func close() async {
        try? await serverChannel.close()
    }

    /// One direction: counts frames by their length prefixes and forwards them, late if held.
    private final class Relay: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let side: Side
        let peer: any Channel
        let log: NIOLockedValueBox<[Passage]>
        let holdFrom: Int?
        let delay: Duration
        private var unparsed = ByteBuffer()
        private var framesSeen = 0
        private var releaseAt: NIODeadline?

        init(side: Side, peer: any Channel, log: NIOLockedValueBox<[Passage]>, holdFrom: Int?, delay: Duration) {
            self.side = side
            self.peer = peer
            self.log = log
            self.holdFrom = holdFrom
            self.delay = delay
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = Self.unwrapInboundIn(data)
            unparsed.writeBuffer(&incoming)
            while let (length, prefixLength) = try? unparsed.withUnsafeReadableBytes({ raw in
                try Varint.decodeLengthPrefix(raw, maximum: FramingLimits.maximumFrameLength)
            }), unparsed.readableBytes >= prefixLength + length {
                let frame = unparsed.readSlice(length: prefixLength + length)!
                framesSeen += 1
                forward(frame, number: framesSeen, context: context)
            }
            unparsed.discardReadBytes()
        }

        private func forward(_ frame: ByteBuffer, number: Int, context: ChannelHandlerContext) {
            if let holdFrom, number >= holdFrom, releaseAt == nil {
                let (seconds, attoseconds) = delay.components
                releaseAt = .now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            }
            let (peer, log, side) = (self.peer, self.log, self.side)
            let send: @Sendable () -> Void = {
                log.withLockedValue { $0.append(Passage(from: side, number: number, forwardedAt: .now)) }
                peer.writeAndFlush(frame, promise: nil)
            }
            if let releaseAt {
                // Once holding began, every later frame goes through the timer too (a past deadline
                // runs at the next tick), so none overtakes a held one.
                context.eventLoop.scheduleTask(deadline: releaseAt, send)
            } else {
                send()
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            let peer = self.peer
            // Let held frames go first.
            context.eventLoop.scheduleTask(deadline: max(releaseAt ?? .now(), .now())) { peer.close(promise: nil) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
