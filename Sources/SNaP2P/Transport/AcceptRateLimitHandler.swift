import Logging
import NIOCore
import SNaP2PSession

/// Sits on the listening channel in front of NIO's accept handler and turns away connections
/// from addresses over the rate limit before anything is set up for them: no pipeline, no
/// handshake, no cryptography.
///
/// Every accepted channel passes through the listening channel's single event loop, so the
/// limiter needs no lock. A connection already reset when it is accepted has no remote address;
/// it is closed on its own and nothing else is affected.
final class AcceptRateLimitHandler: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private var limiter: ConnectionRateLimiter
    private let logger: Logger
    private let metrics: PeerMetrics

    init(limit: ConnectionRateLimit, logger: Logger, metrics: PeerMetrics) {
        self.limiter = ConnectionRateLimiter(limit: limit)
        self.logger = logger
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        guard let address = child.remoteAddress?.ipAddress else {
            logger.debug("closing a connection that was reset before it was accepted")
            child.close(promise: nil)
            return
        }
        guard limiter.admit(address, at: .now) else {
            logger.debug("rate limit: refusing a connection", metadata: ["remote": "\(address)"])
            metrics.refused(.rateLimit)
            child.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
