import Logging
import NIOConcurrencyHelpers
import NIOCore
import SNaP2PSession

/// Sits on the listening channel in front of NIO's accept handler and turns away connections
/// before anything is set up for them (no pipeline, no handshake, no cryptography): those from
/// addresses over the rate limit, and those that would break a ``ResourceLimits`` limit. An
/// admitted connection is released from the ledger when it closes, whatever happened to it.
///
/// Every accepted channel passes through the listening channel's single event loop, so the rate
/// limiter needs no lock. A connection already reset when it is accepted has no remote address;
/// it is closed on its own and nothing else is affected.
final class AcceptAdmissionHandler: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private var limiter: ConnectionRateLimiter?
    private let admission: SessionAdmission
    private let logger: Logger

    init(rateLimit: ConnectionRateLimit?, admission: SessionAdmission, logger: Logger) {
        self.limiter = rateLimit.map(ConnectionRateLimiter.init(limit:))
        self.admission = admission
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = Self.unwrapInboundIn(data)
        guard let address = child.remoteAddress?.ipAddress else {
            logger.debug("closing a connection that was reset before it was accepted")
            child.close(promise: nil)
            return
        }
        if limiter?.admit(address, at: .now) == false {
            logger.debug("rate limit: refusing a connection", metadata: ["remote": "\(address)"])
            child.close(promise: nil)
            return
        }
        if let refusal = admission.admit(child, from: address) {
            logger.debug("resource limit: refusing a connection", metadata: ["remote": "\(address)", "limit": "\(refusal.rawValue)"])
            child.close(promise: nil)
            return
        }
        let admission = self.admission
        child.closeFuture.whenComplete { _ in admission.closed(child) }
        context.fireChannelRead(data)
    }
}

/// A listener's ``SessionLedger``, shared by the event loops its connections run on.
final class SessionAdmission: Sendable {
    private let ledger: NIOLockedValueBox<SessionLedger<ObjectIdentifier>>

    init(limits: ResourceLimits) {
        ledger = NIOLockedValueBox(SessionLedger(limits: limits))
    }

    func admit(_ channel: any Channel, from address: String) -> SessionLedger<ObjectIdentifier>.Refusal? {
        ledger.withLockedValue { $0.admit(ObjectIdentifier(channel), from: address) }
    }

    func handshakeEnded(_ channel: any Channel) {
        ledger.withLockedValue { $0.handshakeEnded(ObjectIdentifier(channel)) }
    }

    func admitSession(_ channel: any Channel, of principal: Principal) -> SessionLedger<ObjectIdentifier>.Refusal? {
        ledger.withLockedValue { $0.admitSession(ObjectIdentifier(channel), of: principal) }
    }

    func closed(_ channel: any Channel) {
        ledger.withLockedValue { $0.closed(ObjectIdentifier(channel)) }
    }
}
