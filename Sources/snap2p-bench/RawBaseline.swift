import Crypto
import NIOCore
import NIOPosix

/// What SNaP2P is measured against: plain SwiftNIO over loopback with the same cipher work —
/// every 64 KiB sealed with ChaCha20-Poly1305 (counter nonces) by the sender and opened by the
/// receiver, framed with a length prefix. The same event loops, options and watermarks as SNaP2P,
/// and none of its protocol: no CBOR, no streams, no windows.
enum RawBaseline {
    static let chunkSize = 64 * 1024

    /// Sends `totalBytes` one way; returns the seconds from the first write to the last byte opened.
    static func sealedThroughput(totalBytes: Int) async throws -> Double {
        let key = SymmetricKey(size: .bits256)
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: ContinuousClock.Instant.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 4 << 20))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        OpeningSink(key: key, expected: totalBytes, done: done)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let start = ContinuousClock.now
        let client = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: 1 << 20, high: 4 << 20))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SealingSource(key: key, total: totalBytes))
                }
            }
            .connect(host: "127.0.0.1", port: server.localAddress!.port!)
            .get()
        let end = try await done.futureResult.get()
        try await client.close()
        try await server.close()
        return Benchmark.seconds(end - start)
    }

    /// The cipher work alone of echoing `totalBytes`, on one core: every 64 KiB sealed and opened
    /// once each way (the dialer seals what the listener opens, and back). Returns CPU seconds.
    static func echoCipherSeconds(totalBytes: Int) throws -> Double {
        let key = SymmetricKey(size: .bits256)
        let plaintext = [UInt8](repeating: 0x42, count: chunkSize)
        let cpuBefore = Benchmark.cpuSeconds()
        var counter: UInt64 = 0
        for _ in 0..<2 {
            var remaining = totalBytes
            while remaining > 0 {
                let length = min(remaining, plaintext.count)
                let box = try ChaChaPoly.seal(plaintext[..<length], using: key, nonce: nonce(counter))
                guard try ChaChaPoly.open(box, using: key).count == length else { throw BenchmarkFailure("open lost bytes") }
                counter += 1
                remaining -= length
            }
        }
        return Benchmark.cpuSeconds() - cpuBefore
    }

    /// Round trips of one byte echoed by a plain NIO handler; returns each in microseconds.
    static func pingPong(rounds: Int) async throws -> [Double] {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Echo())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let done = group.next().makePromise(of: [Double].self)
        let client = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Pinger(rounds: rounds, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: server.localAddress!.port!)
            .get()
        let samples = try await done.futureResult.get()
        try await client.close()
        try await server.close()
        return samples
    }

    /// Seals 64 KiB chunks and writes them while the channel is writable.
    private final class SealingSource: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let key: SymmetricKey
        var remaining: Int
        var counter: UInt64 = 0
        let plaintext = [UInt8](repeating: 0x42, count: RawBaseline.chunkSize)

        init(key: SymmetricKey, total: Int) {
            self.key = key
            self.remaining = total
        }

        func channelActive(context: ChannelHandlerContext) {
            pump(context: context)
            context.fireChannelActive()
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            pump(context: context)
            context.fireChannelWritabilityChanged()
        }

        private func pump(context: ChannelHandlerContext) {
            while remaining > 0 && context.channel.isWritable {
                let length = min(remaining, plaintext.count)
                let box = try! ChaChaPoly.seal(plaintext[..<length], using: key, nonce: RawBaseline.nonce(counter))
                counter += 1
                var buffer = context.channel.allocator.buffer(capacity: length + 20)
                buffer.writeInteger(UInt32(length + 16))
                buffer.writeBytes(box.ciphertext)
                buffer.writeBytes(box.tag)
                context.write(Self.wrapOutboundOut(buffer), promise: nil)
                remaining -= length
            }
            context.flush()
        }
    }

    /// Cuts length-prefixed frames and opens each.
    private final class OpeningSink: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let key: SymmetricKey
        let expected: Int
        let done: EventLoopPromise<ContinuousClock.Instant>
        var received: ByteBuffer?
        var opened = 0
        var counter: UInt64 = 0

        init(key: SymmetricKey, expected: Int, done: EventLoopPromise<ContinuousClock.Instant>) {
            self.key = key
            self.expected = expected
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = Self.unwrapInboundIn(data)
            if received == nil || received!.readableBytes == 0 {
                received = incoming
            } else {
                received!.writeBuffer(&incoming)
            }
            while let length = received!.getInteger(at: received!.readerIndex, as: UInt32.self),
                  received!.readableBytes >= 4 + Int(length) {
                received!.moveReaderIndex(forwardBy: 4)
                let frame = received!.readSlice(length: Int(length))!
                let plaintext = frame.withUnsafeReadableBytes { raw in
                    let box = try! ChaChaPoly.SealedBox(
                        nonce: RawBaseline.nonce(counter),
                        ciphertext: raw[..<(raw.count - 16)],
                        tag: raw[(raw.count - 16)...]
                    )
                    return try! ChaChaPoly.open(box, using: key)
                }
                counter += 1
                opened += plaintext.count
            }
            if opened >= expected { done.succeed(.now) }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            if received?.readerIndex ?? 0 > 0 { received!.discardReadBytes() }
        }
    }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// Sends one byte, times the echo, repeats.
    private final class Pinger: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let rounds: Int
        let done: EventLoopPromise<[Double]>
        var samples: [Double] = []
        var sentAt = ContinuousClock.now

        init(rounds: Int, done: EventLoopPromise<[Double]>) {
            self.rounds = rounds
            self.done = done
            samples.reserveCapacity(rounds)
        }

        func channelActive(context: ChannelHandlerContext) {
            ping(context: context)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            samples.append(Benchmark.seconds(.now - sentAt) * 1e6)
            if samples.count == rounds {
                done.succeed(samples)
            } else {
                ping(context: context)
            }
        }

        private func ping(context: ChannelHandlerContext) {
            sentAt = .now
            context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: [1])), promise: nil)
        }
    }

    /// The Noise transport nonce: 4 zero bytes, then the counter little-endian.
    static func nonce(_ counter: UInt64) -> ChaChaPoly.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: counter.littleEndian) { bytes.replaceSubrange(4..<12, with: $0) }
        return try! ChaChaPoly.Nonce(data: bytes)
    }
}
