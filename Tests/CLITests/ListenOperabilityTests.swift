import Foundation
import NIOCore
import NIOPosix
import Testing

/// `snap2p listen --metrics` and the drain on SIGTERM, with real processes on 127.0.0.1.
@Suite struct ListenOperabilityTests {
    @Test func metricsAreServedInThePrometheusFormatAfterSomeDials() async throws {
        let listener = try RunningProcess(["listen", "0", "--host", "127.0.0.1", "--testnet", "--json", "--metrics", "127.0.0.1:0"])
        defer { listener.stop() }
        let ready = try await listener.nextEvent()
        let port = try #require(ready["port"] as? Int)
        let metrics = try #require(ready["metrics"] as? String)
        let metricsPort = try #require(Int(metrics.split(separator: ":").last ?? ""))
        for arguments in [["--handshake-only"], ["--bytes", "100000"], []] {
            let dial = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--testnet"] + arguments)
            #expect(dial.status == 0, "\(dial.standardError)")
        }

        let scrape = try await HTTPGet.fetch(port: metricsPort, path: "/metrics")
        #expect(scrape.status == 200)
        let samples = Dictionary(
            scrape.body.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> (String, Double)? in
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
                return (String(line[..<space]), value)
            },
            uniquingKeysWith: { $1 }
        )
        #expect(samples["snap2p_handshakes_total{role=\"listener\",result=\"success\"}"] == 3)
        #expect(samples["snap2p_handshake_duration_seconds_count"] == 3)
        #expect((samples["snap2p_handshake_duration_seconds_sum"] ?? 0) > 0)
        // The default dial echoes an 18-byte message; --bytes 100000 echoes 100,000 bytes.
        #expect(samples["snap2p_bytes_received_total"] == 100_018)
        #expect(samples["snap2p_bytes_sent_total"] == 100_018)
        #expect(samples["snap2p_keepalive_timeouts_total"] == 0)
        #expect(samples["snap2p_sessions_active"] != nil)
        #expect(samples["snap2p_streams_active"] != nil)

        #expect(try await HTTPGet.fetch(port: metricsPort, path: "/").status == 404)
        #expect(try await HTTPGet.fetch(port: metricsPort, path: "/metrics/other").status == 404)
    }

    @Test func sigtermDrainsATransferThenStopsWithStatusZero() async throws {
        let listener = try RunningProcess(["listen", "0", "--host", "127.0.0.1", "--testnet", "--json", "--drain-seconds", "120"])
        defer { listener.stop() }
        let port = try #require(try await listener.nextEvent()["port"] as? Int)
        // Large enough that the transfer is still running when SIGTERM lands, also on a busy machine.
        let bytes = 1 << 30
        let dial = try RunningProcess(["dial", "127.0.0.1:\(port)", "--testnet", "--json", "--bytes", "\(bytes)"])
        defer { dial.stop() }
        #expect(try await listener.nextEvent()["event"] as? String == "connected")

        listener.stop()  // SIGTERM
        let draining = try await listener.nextEvent()
        #expect(draining["event"] as? String == "draining")
        #expect(draining["seconds"] as? Double == 120)
        // The port no longer accepts: a dial now is refused.
        let refused = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--testnet"])
        #expect(refused.status != 0)

        // The transfer in progress completes, verified by the dialer.
        #expect(try await dial.exitStatus(timeout: .seconds(120)) == 0, "\(dial.standardError)")
        let done = try dial.lines.map(jsonObject).last
        #expect(done?["event"] as? String == "done")
        #expect(done?["bytes"] as? Int == bytes)

        let closed = try await listener.nextEvent()
        #expect(closed["event"] as? String == "closed")
        #expect(closed["code"] == nil)
        #expect(try await listener.nextEvent()["event"] as? String == "stopped")
        #expect(try await listener.exitStatus() == 0)
    }
}

/// A plain HTTP/1.1 GET on 127.0.0.1 with `Connection: close`; the response is read to the end.
enum HTTPGet {
    static func fetch(port: Int, path: String) async throws -> (status: Int, body: String) {
        let received = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(done: received)) }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        try await channel.writeAndFlush(channel.allocator.buffer(string: request))
        let response = String(decoding: try await received.futureResult.get(), as: UTF8.self)
        let parts = response.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let status = try #require(Int(statusLine.split(separator: " ").dropFirst().first ?? ""), "no status in \(response)")
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var bytes: [UInt8] = []
        private let done: EventLoopPromise<[UInt8]>

        init(done: EventLoopPromise<[UInt8]>) {
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += Self.unwrapInboundIn(data).readableBytesView
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(bytes)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }
    }
}
