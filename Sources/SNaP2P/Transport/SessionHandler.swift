import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PStreams

/// The one handler in a connection's pipeline: it moves bytes between the socket and the pure
/// ``SessionStateMachine``, runs its timer, and carries out its actions — delivering bytes to
/// streams, completing writes, pausing reads, closing. All protocol decisions are the machine's.
///
/// The async API reaches it through ``SessionLink``, which holds it weakly and always hops onto
/// the event loop, so nothing re-enters the machine and nothing the application keeps holds the
/// handler: once the channel is gone, so is everything here.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where the application stands: waiting for the handshake, holding a connection, or done.
    private enum Lifecycle {
        case handshaking(EventLoopPromise<Connection>)
        case established(IncomingStreamSink)
        case closed

        var isClosed: Bool {
            if case .closed = self { true } else { false }
        }
    }

    private let settings: SessionSettings
    private var logger: Logger
    private var machine: SessionStateMachine
    /// Reused for every call into the machine.
    private var actions: [SessionAction] = []
    private var lifecycle: Lifecycle
    private let closed: EventLoopPromise<SNaP2PError?>
    private var context: ChannelHandlerContext?
    private(set) var link: SessionLink?
    /// The connection handed to the application, for the stream protocols it routes to.
    private weak var connection: Connection?

    /// What every stream's reader and writer is told once the session has ended.
    private var sessionEndError: SNaP2PError?

    private var endpoints: [StreamID: StreamEndpoint] = [:]
    private var writePromises: [WriteToken: EventLoopPromise<Void>] = [:]
    private var nextWriteToken: WriteToken = 0

    private var timer: Scheduled<Void>?
    private var timerDeadline: Duration?
    /// The machine asked to stop reading (a remote without fc1 is ahead of the application).
    private var readsPaused = false
    /// The peer's unread bytes are over budget and this session holds some: wait for the budget.
    private var budgetPaused = false
    /// This session's unread bytes as last reported to the budget.
    private var budgetShare = 0
    private var readPending = false
    private var isReading = false
    private var flushScheduled = false
    /// When the handshake started, on the event loop's clock, for its duration metric.
    private var handshakeStarted: Duration?
    /// A listener is shutting down: close the session as soon as it has no open stream.
    private var isDraining = false
    /// Streams the remote opened on a direct upgrade's session before a connection was carried onto
    /// it (`nil`: streams are routed at once).
    private lazy var heldStreams: [SNaP2PStream]? = settings.holdsIncomingStreams ? [] : nil

    init(settings: SessionSettings, established: EventLoopPromise<Connection>, closed: EventLoopPromise<SNaP2PError?>) {
        self.settings = settings
        self.logger = settings.logger
        self.machine = SessionStateMachine(configuration: settings.session)
        self.lifecycle = .handshaking(established)
        self.closed = closed
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        link = SessionLink(handler: self, eventLoop: context.eventLoop)
        if logger.logLevel <= .debug, let remote = context.channel.remoteAddress {
            logger[metadataKey: "remote"] = "\(remote)"
        }
        if context.channel.isActive { start() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        run { $0.transportClosed(error: nil, actions: &$1) }
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        run { $0.transportClosed(error: nil, actions: &$1) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        let now = Self.now(on: context.eventLoop)
        isReading = true
        run { machine, actions in
            buffer.withUnsafeReadableBytes { machine.receive($0, now: now, actions: &actions) }
        }
        isReading = false
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { run { _, _ in } }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        // A reset is how a remote's close often arrives (it closed with our PING unread): the
        // session ends as if the remote hung up, with the cause as the reason.
        run { $0.transportClosed(error: Self.cause(of: error), actions: &$1) }
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused || budgetPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Reads again if nothing holds reading back and a read was asked for meanwhile.
    private func readIfAllowed(context: ChannelHandlerContext) {
        guard !readsPaused, !budgetPaused, readPending else { return }
        readPending = false
        context.read()
    }

    /// Reports this session's unread bytes to the peer's budget: over it, a session holding some
    /// stops reading until the budget has room; a share that shrank may resume others.
    private func settleBudget() {
        let share = lifecycle.isClosed ? 0 : machine.bufferedByteCount
        guard share != budgetShare else { return }
        let budget = settings.bufferBudget
        let (isOverLimit, resume) = budget.adjust(by: share - budgetShare)
        budgetShare = share
        for waiting in resume { waiting.execute { $0.budgetHasRoom() } }
        if isOverLimit, share > 0, !budgetPaused, let link, budget.wait(ObjectIdentifier(self), link: link) {
            budgetPaused = true
        } else if budgetPaused, share == 0, let context {
            // Its application read everything: it holds nothing, so it reads on whatever others hold.
            budget.stopWaiting(ObjectIdentifier(self))
            budgetPaused = false
            readIfAllowed(context: context)
        }
    }

    /// The budget is back within its limit.
    func budgetHasRoom() {
        guard budgetPaused, let context else { return }
        budgetPaused = false
        readIfAllowed(context: context)
    }

    // MARK: - Requests from the application (through SessionLink, always on the event loop)

    func openStream(label: String?, promise: EventLoopPromise<SNaP2PStream>) {
        guard case .established = lifecycle else {
            promise.fail(SNaP2PError.connectionClosed(code: .connectionClosed, reason: "the connection is closed"))
            return
        }
        guard let id = run({ $0.openStream(label: label, actions: &$1) }) ?? nil, let stream = addStream(id, label: label) else {
            promise.fail(SNaP2PError.streamRefused(code: .streamRefused))
            return
        }
        promise.succeed(stream)
    }

    /// Queues a write (`fin`: then the end); `promise`, if any, completes once it is sealed.
    func write(_ bytes: [UInt8], streamID id: StreamID, fin: Bool, promise: EventLoopPromise<Void>?) {
        if let sessionEndError {
            // A write that raced the session's end learns why it ended, not that its stream is gone.
            promise?.fail(sessionEndError)
            return
        }
        var token: WriteToken?
        if let promise {
            token = nextWriteToken
            writePromises[nextWriteToken] = promise
            nextWriteToken += 1
        }
        run { $0.write(bytes, on: id, fin: fin, token: token, actions: &$1) }
    }

    func closeStream(_ id: StreamID, code: ProtocolErrorCode?) {
        run { $0.closeStream(id, code: code, actions: &$1) }
    }

    func streamReleased(_ id: StreamID) {
        run { $0.streamReleased(id, actions: &$1) }
    }

    /// The reader of stream `id` took bytes: report them to the machine.
    func consumed(_ id: StreamID) {
        guard let byteCount = endpoints[id]?.queue.takeConsumedByteCount(), byteCount > 0 else { return }
        run { $0.consumed(id, byteCount: byteCount, actions: &$1) }
    }

    func close(code: ProtocolErrorCode?) {
        run { $0.close(code: code, actions: &$1) }
    }

    /// The session now carries `connection` (a direct upgrade of it): the streams the remote opens
    /// go to its `incomingStreams` and its stream protocols. False once the session has ended.
    func carry(_ connection: Connection, into sink: IncomingStreamSink) -> Bool {
        guard case .established(let own) = lifecycle else { return false }
        sink.attach()
        lifecycle = .established(sink)
        own.detach()
        self.connection = connection
        let held = heldStreams ?? []
        heldStreams = nil
        for stream in held { route(stream) }
        return true
    }

    /// Lets the open streams finish, then closes with ``Listener/shutdownCode``.
    func drain() {
        isDraining = true
        closeIfDrained()
    }

    /// A draining session with no stream left closes (after the actions at hand are carried out).
    private func closeIfDrained() {
        guard isDraining, endpoints.isEmpty, case .established = lifecycle, let context else { return }
        context.eventLoop.assumeIsolated().execute { [self] in close(code: Listener.shutdownCode) }
    }

    // MARK: - Driving the machine

    private func start() {
        guard let context else { return }
        let now = Self.now(on: context.eventLoop)
        if handshakeStarted == nil { handshakeStarted = now.uptime }
        let observed = context.channel.remoteAddress.flatMap(ObservedAddress.init)
        run { $0.start(now: now, observedRemoteAddress: observed, actions: &$1) }
    }

    /// Feeds the machine, carries out what it asks, seals waiting writes while the socket takes
    /// more, and hands the output to the channel. Flushing waits for the end of the read burst,
    /// or for the other tasks already queued on the event loop, so writes batch into few syscalls.
    @discardableResult
    private func run<Result>(_ body: (inout SessionStateMachine, inout [SessionAction]) -> Result) -> Result? {
        guard let context else { return nil }
        let result = body(&machine, &actions)
        carryOutActions(context: context)
        while context.channel.isWritable, machine.hasWritesReady {
            machine.sealPendingWrites(budget: Self.outputBatchSize, actions: &actions)
            carryOutActions(context: context)
            writeOutput(context: context)
        }
        writeOutput(context: context)
        rearmTimer(context: context)
        settleBudget()
        return result
    }

    private func carryOutActions(context: ChannelHandlerContext) {
        var index = 0
        while index < actions.count {
            carryOut(actions[index], context: context)
            index += 1
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func carryOut(_ action: SessionAction, context: ChannelHandlerContext) {
        switch action {
        case .established(let info):
            becomeEstablished(info, context: context)
        case .streamOpened(let id, let label):
            if let stream = addStream(id, label: label) { route(stream) }
        case .deliver(let id, let bytes):
            settings.metrics.received(bytes.count)
            endpoints[id]?.queue.append(bytes)
        case .inboundFinished(let id):
            endpoints[id]?.queue.finish()
        case .sealed(let id, let byteCount):
            settings.metrics.sent(byteCount)
            endpoints[id]?.gate.release(byteCount)
        case .writeCompleted(let token):
            writePromises.removeValue(forKey: token)?.succeed()
        case .writeFailed(let token, let end):
            writePromises.removeValue(forKey: token)?.fail(end.errors.writing)
        case .streamEnded(let id, let end):
            let errors = end.errors
            if let endpoint = endpoints.removeValue(forKey: id) {
                endpoint.terminate(reading: errors.reading, writing: errors.writing)
                settings.metrics.streamsEnded(1)
                closeIfDrained()
            }
        case .pauseReads:
            readsPaused = true
        case .resumeReads:
            readsPaused = false
            readIfAllowed(context: context)
        case .close(let end):
            terminate(end, context: context)
        }
    }

    private func writeOutput(context: ChannelHandlerContext) {
        var wrote = false
        machine.takeOutput { bytes in
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(Self.wrapOutboundOut(buffer), promise: nil)
            wrote = true
        }
        guard wrote, !isReading, !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            self.context?.flush()
        }
    }

    private func rearmTimer(context: ChannelHandlerContext) {
        let deadline = machine.nextDeadline
        guard deadline != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard let deadline else {
            timer = nil
            return
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: NIODeadline(deadline)) { [self] in
            timerDeadline = nil
            let now = Self.now(on: context.eventLoop)
            run { $0.tick(now: now, actions: &$1) }
        }
    }

    /// Frames sealed per call before they are handed to the channel, so its writability stays accurate.
    static let outputBatchSize = 256 * 1024

    /// The event loop's clock (an embedded loop's in tests) for timers, the wall clock for the protocol.
    static func now(on eventLoop: any EventLoop) -> SessionTime {
        SessionTime(uptime: .nanoseconds(Int64(eventLoop.now.uptimeNanoseconds)), unixSeconds: WallClock.unixSeconds())
    }

    // MARK: - Streams and the connection

    private func becomeEstablished(_ info: EstablishedSessionInfo, context: ChannelHandlerContext) {
        guard case .handshaking(let established) = lifecycle, let link else { return }
        if logger.logLevel <= .debug { logger[metadataKey: "peer"] = "\(info.remotePrincipal)" }
        logger.debug("session established", metadata: ["features": "\(info.features)", "noise": "\(info.noiseSchedule)"])
        switch info.remoteAliasCard {
        case .success(let card): settings.aliasBook.record(card)
        case .failure(let error): logger.debug("alias card dropped", metadata: ["reason": "\(error)"])
        case nil: break
        }
        let (incomingStreams, continuation) = AsyncStream.makeStream(of: SNaP2PStream.self)
        let sink = IncomingStreamSink(continuation)
        let connection = Connection(
            info: info,
            path: settings.transport.path(remoteAddress: context.channel.remoteAddress?.displayText),
            localAddress: settings.transport.isSocket ? context.channel.localAddress : nil,
            observedLocalAddress: info.observedAddress.flatMap(SocketAddress.init)?.displayText,
            relayOrigin: settings.transport.relayOrigin,
            aliasBook: settings.aliasBook,
            link: link,
            incoming: incomingStreams,
            incomingSink: sink,
            closeFuture: closed.futureResult
        )
        self.connection = connection
        lifecycle = .established(sink)
        recordHandshake(code: nil, context: context)
        // Before the dialer's task resumes: a dial by principal right after may ask this session.
        settings.discovery.sessionEstablished(connection, dialed: settings.session.handshake.role == .initiator)
        established.succeed(connection)
    }

    private func addStream(_ id: StreamID, label: String?) -> SNaP2PStream? {
        guard let link else { return nil }
        let endpoint = StreamEndpoint(link: link, id: id)
        endpoints[id] = endpoint
        settings.metrics.streamOpened()
        return SNaP2PStream(id: id, label: label, link: link, endpoint: endpoint)
    }

    /// A stream the remote opened goes to the protocol registered for its label, or to the
    /// application's `incomingStreams`.
    private func route(_ stream: SNaP2PStream) {
        guard case .established(let incoming) = lifecycle else { return }
        if heldStreams != nil {
            heldStreams?.append(stream)
            return
        }
        if let label = stream.label, let serve = settings.streamProtocols.handler(for: label) {
            guard let connection else { return }  // the application let go: the stream is dropped
            Task { await serve(stream, connection) }
        } else {
            incoming.yield(stream)
        }
    }

    /// Everything waiting on the session learns how it ended; the socket closes once the output
    /// (an AUTH_FAIL or ERROR, say) is written, or after a grace period if the remote does not read.
    private func terminate(_ end: SessionEnd, context: ChannelHandlerContext) {
        logger.debug("session ends", metadata: ["code": "\(end.code.map { "\($0)" } ?? "none")", "reason": "\(end.reason ?? "")"])
        timer?.cancel()
        timer = nil
        let error = SNaP2PError(end)
        switch lifecycle {
        case .handshaking(let established):
            // The dialer learns of the failure once the socket is closed, so a refusal (AUTH_FAIL)
            // has reached the kernel even if the process exits at once.
            let failure = error ?? .handshakeFailed(code: .connectionClosed, reason: end.reason)
            context.channel.closeFuture.whenComplete { _ in established.fail(failure) }
            recordHandshake(code: end.code ?? .connectionClosed, context: context)
        case .established(let incoming):
            incoming.detach()
            settings.metrics.sessionEnded(end, openStreams: endpoints.count)
        case .closed:
            return
        }
        lifecycle = .closed
        let streamError = SNaP2PError.connectionClosed(code: end.code ?? .connectionClosed, reason: end.reason)
        sessionEndError = streamError
        for endpoint in endpoints.values { endpoint.terminate(reading: streamError, writing: streamError) }
        endpoints.removeAll()
        for promise in writePromises.values { promise.fail(streamError) }
        writePromises.removeAll()
        closed.succeed(error)
        closeAfterOutput(context: context)
        settings.bufferBudget.stopWaiting(ObjectIdentifier(self))
        settleBudget()
        readsPaused = false
        budgetPaused = false
        readIfAllowed(context: context)
    }

    private func recordHandshake(code: ProtocolErrorCode?, context: ChannelHandlerContext) {
        let duration = handshakeStarted.map { Self.now(on: context.eventLoop).uptime - $0 } ?? .zero
        settings.metrics.handshakeFinished(role: settings.session.handshake.role, code: code, duration: duration)
    }

    private func closeAfterOutput(context: ChannelHandlerContext) {
        writeOutput(context: context)
        let channel = context.channel
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: written)
        let forcedClose = context.eventLoop.scheduleTask(in: Self.closeGracePeriod) { channel.close(promise: nil) }
        // Cancelled once closed: the task holds the channel, and so its receive buffer (up to
        // 1 MiB), which kept every ended session's buffers for the whole grace period (a listener
        // serving 1 MiB echoes back to back grew by ~28 MiB and never gave it back).
        channel.closeFuture.whenComplete { _ in forcedClose.cancel() }
        // Half-close, then let the remote close: closing with its bytes (a PONG, stream data)
        // unread would send a reset, which can destroy our last frame (an ERROR) before it is read.
        written.futureResult.whenComplete { _ in channel.close(mode: .output, promise: nil) }
    }

    static let closeGracePeriod = TimeAmount.seconds(2)

    /// A transport failure in the words people know ("connection reset by peer"), not the system
    /// call that met it.
    static func cause(of error: any Error) -> String {
        guard let error = error as? IOError else { return "\(error)" }
        switch error.errnoCode {
        case ECONNRESET: return "connection reset by peer"
        case EPIPE: return "connection closed by peer (broken pipe)"
        case ETIMEDOUT: return "connection timed out"
        default: return String(cString: strerror(error.errnoCode)).lowercased()
        }
    }
}

extension NIODeadline {
    init(_ uptime: Duration) {
        let (seconds, attoseconds) = uptime.components
        self = .uptimeNanoseconds(UInt64(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
    }
}
