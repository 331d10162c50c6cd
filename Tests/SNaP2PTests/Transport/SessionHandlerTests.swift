import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession
import SNaP2PWire
import Testing

@testable import SNaP2P

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The NIO handler on testing channels: its timers, the dialer's hold and read pausing, driven by
/// a hand-moved clock instead of sleeps.
@Suite struct SessionHandlerTests {
    @Test func theDialersHoldEndsOnItsTimerWhenTheListenerStaysSilent() async throws {
        let pair = try await HandlerPair.make()
        try await pair.handshakeUntilTheDialerIsEstablished()
        let stream = try await pair.onDialer { handler, promise in handler.openStream(label: "held", promise: promise) }
        try await pair.onDialer { handler, _ in handler.write(Array("early".utf8), streamID: stream.id, fin: false, promise: nil) }
        // The dialer's last handshake frame goes; the listener is established and PINGs.
        #expect(try await pair.move(from: pair.dialer, to: pair.listener))
        _ = try await pair.listenerConnection.value
        // The listener's PING is lost: the dialer holds its stream back…
        #expect(try await pair.drain(pair.listener) > 0)
        await pair.loop.advanceTime(by: .milliseconds(1999))
        #expect(try await pair.drain(pair.dialer) == 0)
        // …until its grace period ends.
        await pair.loop.advanceTime(by: .milliseconds(1))
        #expect(try await pair.move(from: pair.dialer, to: pair.listener))
        let connection = try await pair.listenerConnection.value
        var incoming = connection.incomingStreams.makeAsyncIterator()
        let arrived = try #require(await incoming.next())
        #expect(arrived.label == "held")
        await pair.close()
    }

    @Test func readsPauseForAPeerWithoutFlowControlUntilTheReaderCatchesUp() async throws {
        let pair = try await HandlerPair.make(flowControl: false, receiveBuffer: 64 * 1024)
        try await pair.establish()
        let stream = try await pair.onDialer { handler, promise in handler.openStream(label: nil, promise: promise) }
        try await pair.onDialer { handler, _ in
            handler.write([UInt8](repeating: 7, count: 200 * 1024), streamID: stream.id, fin: false, promise: nil)
        }
        await pair.loop.run()
        #expect(try await pair.move(from: pair.dialer, to: pair.listener))
        let connection = try await pair.listenerConnection.value
        var incoming = connection.incomingStreams.makeAsyncIterator()
        let arrived = try #require(await incoming.next())

        let readsBefore = pair.listenerReads.withLockedValue { $0 }
        pair.listener.read()
        await pair.loop.run()
        #expect(pair.listenerReads.withLockedValue { $0 } == readsBefore, "paused: a read request is held back")

        var inbound = arrived.inbound.makeAsyncIterator()
        var received = 0
        while received < 200 * 1024, let chunk = try await inbound.next() {
            received += chunk.count
            await pair.loop.run()
        }
        #expect(pair.listenerReads.withLockedValue { $0 } == readsBefore + 1, "the held read goes out once the backlog drained")
        await pair.close()
    }
}

extension SessionHandlerTests {
    /// A remote that dies mid-transfer (here its reset arrives) ends the stream and the session
    /// with the cause, and a write that races the end is told the same, not STREAM_CLOSED.
    @Test func aResetMidStreamEndsTheStreamAndTheSessionWithItsCause() async throws {
        let pair = try await HandlerPair.make()
        try await pair.establish()
        let stream = try await pair.onDialer { handler, promise in handler.openStream(label: "echo", promise: promise) }
        try await pair.onDialer { handler, _ in handler.write(Array("ping".utf8), streamID: stream.id, fin: false, promise: nil) }
        try await pair.move(from: pair.dialer, to: pair.listener)

        let dialer = pair.dialer
        let expected = SNaP2PError.connectionClosed(code: .connectionClosed, reason: "connection reset by peer")
        var raced: (any Error)?
        do {
            try await pair.onDialer { (handler, promise: EventLoopPromise<Void>) in
                dialer.pipeline.fireErrorCaught(IOError(errnoCode: ECONNRESET, reason: "read(descriptor:pointer:size:)"))
                handler.write([1], streamID: stream.id, fin: false, promise: promise)
            }
        } catch {
            raced = error
        }
        #expect(raced as? SNaP2PError == expected)
        await #expect(throws: expected) { _ = try await stream.inbound.collect(upTo: 1024) }
        await #expect(throws: expected) { try await stream.write([2]) }
        let connection = try await pair.dialerConnection.get()
        #expect(await connection.closed() == expected)
        await pair.close()
    }

    /// A closing session waits up to a grace period for the remote to read its last frame. Once
    /// the channel is closed, that timer must not keep the channel, and with it its receive buffer
    /// (up to 1 MiB): a listener serving 1 MiB echoes back to back held every ended session's
    /// buffers for the whole period, and its heap grew by ~28 MiB.
    @Test func aClosedChannelIsNotHeldForTheCloseGracePeriod() async throws {
        let (loop, channel) = try await Self.closedDialerChannel()
        await loop.run()
        #expect(channel.object == nil, "freed once closed, not when the grace period ends")
        await loop.advanceTime(by: .seconds(3))
    }

    /// An established pair whose dialer closed its session and then its channel; only a weak
    /// reference to that channel leaves.
    private static func closedDialerChannel() async throws -> (NIOAsyncTestingEventLoop, WeakReference<NIOAsyncTestingChannel>) {
        let pair = try await HandlerPair.make()
        try await pair.establish()
        try await pair.onDialer { handler, _ in handler.close(code: nil) }
        _ = try? await pair.dialer.close()
        _ = try? await pair.listener.close()
        pair.listenerConnection.cancel()
        let channel = WeakReference<NIOAsyncTestingChannel>()
        channel.object = pair.dialer
        return (pair.loop, channel)
    }

    @Test func transportFailuresAreNamedInPlainWords() {
        #expect(SessionHandler.cause(of: IOError(errnoCode: ECONNRESET, reason: "read")) == "connection reset by peer")
        #expect(SessionHandler.cause(of: IOError(errnoCode: EPIPE, reason: "write")) == "connection closed by peer (broken pipe)")
        #expect(SessionHandler.cause(of: IOError(errnoCode: ETIMEDOUT, reason: "read")) == "connection timed out")
    }
}

/// Two session handlers on testing channels that share one testing event loop; bytes move only
/// when a test moves them.
struct HandlerPair {
    let loop: NIOAsyncTestingEventLoop
    let dialer: NIOAsyncTestingChannel
    let listener: NIOAsyncTestingChannel
    let dialerConnection: EventLoopFuture<Connection>
    let listenerConnection: Task<Connection, any Error>
    /// `read` requests that got past the listener's handler.
    let listenerReads: NIOLockedValueBox<Int>

    static func make(flowControl: Bool = true, receiveBuffer: Int = 1 << 20) async throws -> HandlerPair {
        let loop = NIOAsyncTestingEventLoop()
        let (dialer, dialerConnection) = try await channel(.initiator, flowControl: flowControl, receiveBuffer: receiveBuffer, loop: loop, reads: nil)
        let reads = NIOLockedValueBox(0)
        let (listener, listenerConnection) = try await channel(.responder, flowControl: flowControl, receiveBuffer: receiveBuffer, loop: loop, reads: reads)
        try await listener.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        try await dialer.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2))
        return HandlerPair(
            loop: loop,
            dialer: dialer,
            listener: listener,
            dialerConnection: dialerConnection,
            listenerConnection: Task { try await listenerConnection.get() },
            listenerReads: reads
        )
    }

    private static func channel(
        _ role: HandshakeRole,
        flowControl: Bool,
        receiveBuffer: Int,
        loop: NIOAsyncTestingEventLoop,
        reads: NIOLockedValueBox<Int>?
    ) async throws -> (NIOAsyncTestingChannel, EventLoopFuture<Connection>) {
        let wallet = LocalWallet.ephemeral(network: .testnet)
        let nodeKey = NodeKey.generate()
        let attestation = try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: nodeKey.publicKey)
        let settings = SessionSettings(
            session: SessionConfiguration(
                handshake: HandshakeConfiguration(
                    role: role, nodeKey: nodeKey, attestation: attestation, network: .testnet,
                    capabilities: flowControl ? ["fc1"] : []
                ),
                receiveBuffer: receiveBuffer
            ),
            streamProtocols: StreamProtocols(),
            aliasBook: AliasBook(),
            bufferBudget: BufferBudget(limit: .max),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            metrics: PeerMetrics(factory: NOOPMetricsHandler.instance),
            discovery: DiscoveryService(configuration: PeerConfiguration(network: .testnet), localPrincipal: wallet.principal)
        )
        let established = loop.makePromise(of: Connection.self)
        let closed = loop.makePromise(of: SNaP2PError?.self)
        let channel = try await NIOAsyncTestingChannel(loop: loop) { channel in
            if let reads { try channel.pipeline.syncOperations.addHandler(ReadRecorder(reads: reads)) }
            try channel.pipeline.syncOperations.addHandler(SessionHandler(settings: settings, established: established, closed: closed))
        }
        return (channel, established.futureResult)
    }

    /// Moves everything `source` wrote into `destination`; true when anything moved.
    @discardableResult
    func move(from source: NIOAsyncTestingChannel, to destination: NIOAsyncTestingChannel) async throws -> Bool {
        await loop.run()
        var moved = false
        while let buffer = try await source.readOutbound(as: ByteBuffer.self) {
            if buffer.readableBytes > 0 {
                try await destination.writeInbound(buffer)
                moved = true
            }
        }
        await loop.run()
        return moved
    }

    /// Throws away what `channel` wrote; returns how many bytes that was.
    func drain(_ channel: NIOAsyncTestingChannel) async throws -> Int {
        await loop.run()
        var count = 0
        while let buffer = try await channel.readOutbound(as: ByteBuffer.self) { count += buffer.readableBytes }
        return count
    }

    /// Moves bytes until the dialer has its connection, delivering nothing after that.
    func handshakeUntilTheDialerIsEstablished() async throws {
        let established = NIOLockedValueBox(false)
        dialerConnection.whenSuccess { _ in established.withLockedValue { $0 = true } }
        for _ in 0..<20 where !established.withLockedValue({ $0 }) {
            try await move(from: dialer, to: listener)
            try await move(from: listener, to: dialer)
        }
        #expect(established.withLockedValue { $0 })
    }

    /// Moves bytes both ways until neither side sends anything.
    func establish() async throws {
        for _ in 0..<20 {
            let there = try await move(from: dialer, to: listener)
            let back = try await move(from: listener, to: dialer)
            if !there && !back { break }
        }
        _ = try await dialerConnection.get()
        _ = try await listenerConnection.value
    }

    /// Calls the dialer's handler on the event loop with a promise, and waits for it.
    func onDialer<Value: Sendable>(_ body: @escaping @Sendable (SessionHandler, EventLoopPromise<Value>) -> Void) async throws -> Value {
        let dialer = self.dialer
        let promise = loop.makePromise(of: Value.self)
        try await loop.executeInContext {
            let handler = try dialer.pipeline.syncOperations.handler(type: SessionHandler.self)
            body(handler, promise)
        }
        await loop.run()
        return try await promise.futureResult.get()
    }

    /// As ``onDialer(_:)`` for calls that complete no promise.
    func onDialer(_ body: @escaping @Sendable (SessionHandler, Void) -> Void) async throws {
        let dialer = self.dialer
        try await loop.executeInContext {
            body(try dialer.pipeline.syncOperations.handler(type: SessionHandler.self), ())
        }
        await loop.run()
    }

    func close() async {
        _ = try? await dialer.close()
        _ = try? await listener.close()
        await loop.run()
        listenerConnection.cancel()
    }
}

/// A weak reference, set and read only while the testing event loop is idle.
final class WeakReference<Object: AnyObject>: @unchecked Sendable {
    weak var object: Object?
}

/// Counts the `read` requests that reach it from the handlers behind it.
final class ReadRecorder: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Any
    let reads: NIOLockedValueBox<Int>

    init(reads: NIOLockedValueBox<Int>) { self.reads = reads }

    func read(context: ChannelHandlerContext) {
        reads.withLockedValue { $0 += 1 }
        context.read()
    }
}
