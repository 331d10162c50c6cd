/// Measurements the way users run SNaP2P: `snap2p listen` and `snap2p dial` as separate
/// processes over loopback, next to the plain TCP echo (``PlainEcho``) as separate processes.
enum CrossProcessBenchmarks {
    /// A server process that runs until stopped, and the port it listens on.
    struct Server {
        let process: ChildProcess
        let port: Int

        /// `snap2p listen` on 127.0.0.1, a free port (its `ready` event names it).
        static func snap2pListener() async throws -> Server {
            try await start(Executables.snap2p(), ["listen", "0", "--host", "127.0.0.1", "--json"])
        }

        /// `snap2p receive --keep --yes` on 127.0.0.1, storing into `directory`.
        static func snap2pReceiver(into directory: String) async throws -> Server {
            try await start(
                Executables.snap2p(), ["receive", "0", "--host", "127.0.0.1", "--dir", directory, "--yes", "--keep", "--json"])
        }

        /// The plain TCP echo server (this binary in its hidden mode).
        static func plainEcho() async throws -> Server {
            try await start(Executables.bench, PlainEcho.serverArguments)
        }

        private static func start(_ executable: String, _ arguments: [String]) async throws -> Server {
            let process = try ChildProcess.spawn(executable, arguments)
            do {
                guard let port = try await process.awaitEvent("ready").port else {
                    throw BenchmarkFailure("\(process.command): its ready event has no port")
                }
                return Server(process: process, port: port)
            } catch {
                process.terminate()
                throw error
            }
        }

        func stop() {
            process.terminate()
        }

        /// VmRSS once every session the listener accepted has closed (its `closed` events catch
        /// up with its `connected` ones, for up to 10 s) and a second more has passed.
        func settledResidentBytes() async throws -> Int {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let events = process.events()
                if events.count(where: { $0.event == "closed" }) >= events.count(where: { $0.event == "connected" }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .seconds(1))
            return Benchmark.residentBytes(process: process.pid)
        }
    }

    /// One echo run: the client's rate (each way), the CPU both processes used for it, and the
    /// client's peak memory.
    struct EchoRun {
        let megabytesPerSecond: Double
        let clientCPU: Double
        let serverCPU: Double
        let clientPeakResidentBytes: Int
    }

    /// `snap2p dial --bytes` against `server` via `port` (the server's, or a proxy's in front of
    /// it): `bytes` in all, split over `streams` streams.
    static func snap2pEcho(server: Server, port: Int, bytes: Int, streams: Int = 1) async throws -> EchoRun {
        try await echo(
            server: server, client: Executables.snap2p(),
            ["dial", "127.0.0.1:\(port)", "--bytes", String(bytes / streams), "--streams", String(streams), "--json"])
    }

    /// The plain TCP echo client against `server` via `port`.
    static func plainEcho(server: Server, port: Int, bytes: Int) async throws -> EchoRun {
        try await echo(server: server, client: Executables.bench, PlainEcho.clientArguments(port: port, bytes: bytes))
    }

    /// Runs a client to the end and reads its `done` event; the server's CPU is what it used meanwhile.
    private static func echo(server: Server, client: String, _ arguments: [String]) async throws -> EchoRun {
        let serverBefore = server.process.cpuSeconds()
        let ended = try await ChildProcess.run(client, arguments)
        let serverCPU = server.process.cpuSeconds() - serverBefore
        return EchoRun(
            megabytesPerSecond: try ended.done(\.megabytesPerSecond, key: "mb_per_s"),
            clientCPU: ended.cpuSeconds, serverCPU: serverCPU, clientPeakResidentBytes: ended.peakResidentBytes)
    }

    /// `snap2p send file` to `receiver` (a ``Server/snap2pReceiver(into:)``): the sender's rate
    /// (file bytes over the whole command after the handshake: hashing, sending, the receiver's
    /// check and rename) and both processes' CPU.
    static func send(file: String, to receiver: Server) async throws -> EchoRun {
        try await echo(
            server: receiver, client: Executables.snap2p(), ["send", file, "127.0.0.1:\(receiver.port)", "--json"])
    }

    /// `snap2p dial --handshake-only --repeat count --parallel parallel` against `server`: the
    /// handshakes per second it reports.
    static func handshakesPerSecond(server: Server, count: Int, parallel: Int = 1) async throws -> Double {
        let arguments = [
            "dial", "127.0.0.1:\(server.port)", "--handshake-only", "--repeat", String(count), "--parallel", String(parallel), "--json",
        ]
        return try await ChildProcess.run(Executables.snap2p(), arguments)
            .done(\.handshakesPerSecond, key: "handshakes_per_second")
    }
}
