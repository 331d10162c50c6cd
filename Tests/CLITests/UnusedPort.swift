import NIOPosix
import Testing

/// A loopback port nothing listens on: bound a moment ago, then closed again. (A fixed low port
/// such as 1 is not safe: a test run as root, or some other service, may hold it.)
func unusedLoopbackPort() async throws -> Int {
    let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(probe.localAddress?.port)
    try await probe.close()
    return port
}
