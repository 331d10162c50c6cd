import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A plain TCP client that sends whatever bytes a test gives it: the misbehaving peer.
final class RawPeer: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`.
    static func connect(port: Int) async throws -> RawPeer {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return RawPeer(channel: channel, received: received)
    }

    /// Sends bytes as they are.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Everything received so far.
    var bytes: [UInt8] { received.withLockedValue { $0 } }

    /// Waits until the remote closes the connection (true) or `timeout` passes (false; the
    /// socket is then closed here).
    func waitForClose(timeout: Duration = .seconds(10)) async -> Bool {
        let channel = self.channel
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            if !first { try? await channel.close() }
            return first
        }
    }

    /// Closes the socket.
    func close() async {
        try? await channel.close()
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>

        init(received: NIOLockedValueBox<[UInt8]>) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
