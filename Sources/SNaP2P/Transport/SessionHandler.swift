import Logging
import NIOCore
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PStreams
import SNaP2PWire

/// The one handler in a connection's pipeline. It owns every piece of protocol state for that
/// connection, on its event loop: frame splitting straight out of the receive buffer, the
/// handshake machine, then the session cipher, keepalive and streams.
///
/// The async API talks to it only through ``SessionLink``, so no state is shared across threads.
/// A failure here closes this connection and nothing else.
final class SessionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case waitingForActive
        case handshaking
        case established
        case closed
    }

    let settings: SessionSettings
    var logger: Logger
    var context: ChannelHandlerContext?
    var phase = Phase.waitingForActive

    // Input
    /// Received bytes not yet consumed as frames; kept across the handshake so nothing that
    /// arrived with the last handshake frame is lost.
    var received: ByteBuffer?
    var frameLimit = FramingLimits.unauthenticatedFrameLength
    /// Reads are withheld while a stream's unread bytes exceed the receive buffer (peers without fc1).
    var readsPaused = false
    var readPending = false

    // Output
    /// Frames sealed but not yet handed to the channel, batched into one write per event.
    var output: [UInt8] = []
    var needsFlush = false

    // Handshake
    var handshake: HandshakeStateMachine?
    var handshakeTimeout: Scheduled<Void>?
    /// Whether any handshake frame arrived, to tell a silent hang-up from a refusal.
    var heardFromRemote = false
    let established: EventLoopPromise<Connection>
    let closed: EventLoopPromise<SNaP2PError?>

    // Session
    var cipher: SessionCipher?
    /// The dialer sends nothing after its AUTH_OK until the listener's first frame arrived
    /// (PROTOCOL.md §6); messages wait here meanwhile.
    var heldMessages: [ControlMessage] = []
    var holdingOutput = false
    /// Ends the hold if the listener stays silent (a peer without keepalive never speaks first).
    var holdDeadline: Scheduled<Void>?
    var keepalive: KeepaliveState?
    /// The stream rules; created when the session starts.
    var multiplexer: StreamMultiplexer?
    /// Whether both sides offered fc1.
    var streamsFlowControlled = false
    var streamRecords: [StreamID: StreamRecord] = [:]
    /// Streams with pending writes, in turn order.
    var readyStreams = CircularBuffer<StreamID>()
    var incoming: AsyncStream<SNaP2PStream>.Continuation?
    var link: SessionLink?
    /// Why the session ended, for every stream still open and for `Connection.closed()`.
    var terminalError: SNaP2PError?

    init(settings: SessionSettings, established: EventLoopPromise<Connection>, closed: EventLoopPromise<SNaP2PError?>) {
        self.settings = settings
        self.logger = settings.logger
        self.established = established
        self.closed = closed
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        link = SessionLink(handler: self, eventLoop: context.eventLoop)
        if logger.logLevel <= .debug, let remote = context.channel.remoteAddress {
            logger[metadataKey: "remote"] = "\(remote)"
        }
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        terminate(context: context)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        terminate(context: context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = Self.unwrapInboundIn(data)
        guard phase != .closed else { return }
        if received == nil || received!.readableBytes == 0 {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        processReceivedFrames(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let buffer = received, buffer.readableBytes == 0 {
            received = nil
        } else if received != nil, received!.readerIndex > 0 {
            received!.discardReadBytes()
        }
        flushOutput(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            pumpStreams(context: context)
            flushOutput(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        switch phase {
        case .waitingForActive, .handshaking:
            fail(.handshakeFailed(code: .connectionClosed, reason: "\(error)"), context: context)
        case .established where error is IOError:
            // A reset is how a remote's close often arrives (it closed with our PING unread):
            // the session ends as if the remote hung up.
            context.close(promise: nil)
            terminate(context: context)
        case .established, .closed:
            fail(.connectionClosed(code: .connectionClosed, reason: "\(error)"), context: context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    // MARK: - Input

    /// Splits frames out of the receive buffer for as long as whole ones are there. Each frame is
    /// a slice of the buffer: no copy until the cipher reads it. The length limit is checked from
    /// the prefix alone, so an over-limit frame is never buffered.
    func processReceivedFrames(context: ChannelHandlerContext) {
        while phase == .handshaking || phase == .established, var buffer = received {
            let prefix: (length: Int, prefixLength: Int)?
            do {
                let limit = frameLimit
                prefix = try buffer.withUnsafeReadableBytes { raw throws(FramingError) in
                    try Varint.decodeLengthPrefix(raw, maximum: limit)
                }
            } catch {
                protocolViolation(error, context: context)
                return
            }
            guard let (length, prefixLength) = prefix, buffer.readableBytes >= prefixLength + length else { return }
            buffer.moveReaderIndex(forwardBy: prefixLength)
            let frame = buffer.readSlice(length: length)!
            received = buffer
            switch phase {
            case .handshaking: handshakeFrame(frame, context: context)
            case .established: sessionFrame(frame, context: context)
            case .waitingForActive, .closed: return
            }
        }
    }

    private func protocolViolation(_ error: FramingError, context: ChannelHandlerContext) {
        let reason = switch error {
        case .frameTooLarge(let length, let maximum): "frame of \(length) bytes over the \(maximum)-byte limit"
        case .lengthPrefixTooLong: "length prefix longer than 4 bytes"
        }
        logger.debug("closing: \(reason)")
        switch phase {
        case .established:
            fail(.connectionClosed(code: .messageTooLarge, reason: reason), context: context)
        default:
            fail(.handshakeFailed(code: .messageTooLarge, reason: reason), context: context)
        }
    }

    // MARK: - Output

    /// Hands the batched frames to the channel; flushes at the end of the current event.
    func writeOutput(context: ChannelHandlerContext) {
        guard !output.isEmpty else { return }
        let buffer = context.channel.allocator.buffer(bytes: output)
        output.removeAll(keepingCapacity: output.capacity <= Self.outputRetainedCapacity)
        context.write(Self.wrapOutboundOut(buffer), promise: nil)
        needsFlush = true
    }

    func flushOutput(context: ChannelHandlerContext) {
        writeOutput(context: context)
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    /// Appends a plaintext frame (the KNOCK exchange and Noise messages).
    func appendPlaintextFrame(_ body: [UInt8]) {
        Varint.encode(UInt64(body.count), into: &output)
        output.append(contentsOf: body)
    }

    /// Output is written to the channel whenever this much is batched, so writability stays accurate.
    static let outputBatchSize = 64 * 1024
    private static let outputRetainedCapacity = 256 * 1024

    // MARK: - Closing

    /// Ends the session with an error: everything waiting on it learns `error`, then the socket
    /// closes once what is already batched (an AUTH_FAIL, say) is on the wire.
    func fail(_ error: SNaP2PError, context: ChannelHandlerContext) {
        guard phase != .closed else { return }
        if terminalError == nil { terminalError = error }
        logger.debug("session ends", metadata: ["error": "\(error)"])
        closeAfterOutput(context: context)
        terminate(context: context)
    }

    /// Closes the connection from the app: output already batched is written first.
    func close(code: ProtocolErrorCode?) {
        guard let context, phase != .closed else { return }
        if phase == .established, let code, code != .ok {
            sendControl(.error(code: code, reason: nil), context: context)
        }
        closeAfterOutput(context: context)
        terminate(context: context)
    }

    /// Writes the batched output and closes the socket when it has been written, or after
    /// ``closeGracePeriod`` if the remote does not read it.
    private func closeAfterOutput(context: ChannelHandlerContext) {
        writeOutput(context: context)
        let channel = context.channel
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: written)
        needsFlush = false
        let deadline = context.eventLoop.scheduleTask(in: Self.closeGracePeriod) { channel.close(promise: nil) }
        written.futureResult.whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }

    static let closeGracePeriod = TimeAmount.seconds(2)

    /// Releases everything the session holds, once: timers, handshake, streams, waiters.
    func terminate(context: ChannelHandlerContext) {
        guard phase != .closed else { return }
        handshakeInterrupted(context: context)
        let wasEstablished = phase == .established
        phase = .closed
        handshakeTimeout?.cancel()
        handshakeTimeout = nil
        holdDeadline?.cancel()
        holdDeadline = nil
        keepalive?.cancel()
        keepalive = nil
        handshake = nil
        cipher = nil
        received = nil
        heldMessages.removeAll()
        if !wasEstablished {
            established.fail(terminalError ?? .handshakeFailed(code: .connectionClosed, reason: "connection closed"))
        }
        let streamError = terminalError ?? .connectionClosed(code: .connectionClosed, reason: nil)
        for record in streamRecords.values { record.terminate(reading: streamError, writing: streamError) }
        streamRecords.removeAll()
        readyStreams.removeAll()
        multiplexer = nil
        incoming?.finish()
        incoming = nil
        closed.succeed(terminalError)
        if readsPaused {
            readsPaused = false
            if readPending { readPending = false; context.read() }
        }
    }
}
