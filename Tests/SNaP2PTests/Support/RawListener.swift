import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that accepts connections and ignores them.
final class RawListener: Sendable {
    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    static func start() async throws -> RawListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return RawListener(port: channel.localAddress!.port!, channel: channel)
    }

    func close() async {
        try? await channel.close()
    }
}
