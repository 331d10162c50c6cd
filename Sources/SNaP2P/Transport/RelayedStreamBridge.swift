import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a session over a stream of another session (a relayed stream), with the same
/// ``SessionHandler`` as over TCP: the stream is bridged to one end of a local socket pair, the
/// handler sits on the other. The session inside is end-to-end encrypted and authenticated
/// between its two peers; whoever carries the outer stream sees only its ciphertext.
///
/// The bridge copies in both directions with backpressure on both sides (the outer stream's
/// window, the socket pair's buffers), passes a half-close on as a stream finish and back, and
/// aborts the outer stream if the inner session's socket fails. It keeps the carrying connection
/// alive for as long as it runs.
enum RelayedStreamBridge {
    /// Starts a session with `settings` over `stream` of `carrier` (`alreadyReceived`: bytes of
    /// the stream read past its relay messages) and returns it once the handshake completed.
    static func startSession(
        over stream: SNaP2PStream,
        alreadyReceived: [UInt8],
        carrier: Connection,
        settings: SessionSettings,
        eventLoop: any EventLoop
    ) async throws -> Connection {
        var descriptors: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, streamSocketType, 0, &descriptors) == 0 else {
            stream.close(error: .internalError)
            throw SNaP2PError.connectionFailed(reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        let established = eventLoop.makePromise(of: Connection.self)
        let sessionSide: any Channel
        do {
            sessionSide = try await ClientBootstrap(group: eventLoop)
                .channelOption(.writeBufferWaterMark, value: Peer.writeBufferWaterMark)
                .channelOption(.recvAllocator, value: Peer.receiveAllocator)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let closed = channel.eventLoop.makePromise(of: SNaP2PError?.self)
                        try channel.pipeline.syncOperations.addHandler(
                            SessionHandler(settings: settings, established: established, closed: closed))
                    }
                }
                .withConnectedSocket(descriptors[0]).get()
        } catch {
            // The channel owns (and has closed) the first descriptor; the second was never handed over.
            close(descriptors[1])
            established.fail(error)
            stream.close(error: .internalError)
            throw SNaP2PError.connectionFailed(reason: "cannot start a session over a relayed stream: \(error)")
        }
        let streamSide: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            streamSide = try await ClientBootstrap(group: eventLoop)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelOption(.recvAllocator, value: Peer.receiveAllocator)
                .withConnectedSocket(descriptors[1]) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
        } catch {
            sessionSide.close(promise: nil)
            stream.close(error: .internalError)
            throw SNaP2PError.connectionFailed(reason: "cannot start a session over a relayed stream: \(error)")
        }
        Task { await pump(streamSide, stream: stream, alreadyReceived: alreadyReceived, carrier: carrier) }
        return try await established.futureResult.get()
    }

    /// Copies between the socket pair's end and the stream until both directions have ended;
    /// on a failure in either, the stream is aborted and the socket closed.
    private static func pump(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        stream: SNaP2PStream,
        alreadyReceived: [UInt8],
        carrier: Connection
    ) async {
        let socket = channel.channel
        // A failure in one direction ends the other by closing what it waits on (a channel's
        // inbound sequence does not end on cancellation alone).
        try? await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await buffer in inbound { try await stream.write(Array(buffer.readableBytesView)) }
                        try await stream.finish()
                    } catch {
                        stream.close(error: .internalError)
                        throw error
                    }
                }
                group.addTask {
                    do {
                        if !alreadyReceived.isEmpty { try await outbound.write(ByteBuffer(bytes: alreadyReceived)) }
                        for try await chunk in stream.inbound { try await outbound.write(ByteBuffer(bytes: chunk)) }
                        outbound.finish()
                    } catch {
                        socket.close(promise: nil)
                        throw error
                    }
                }
                try await group.waitForAll()
            }
        }
        withExtendedLifetime(carrier) {}
    }

    #if canImport(Glibc)
    private static let streamSocketType = CInt(SOCK_STREAM.rawValue)
    #else
    private static let streamSocketType = SOCK_STREAM
    #endif
}
