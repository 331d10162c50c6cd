// snap2p-bench: SNaP2P against plain SwiftNIO with the same cipher work, over loopback in one
// process; then across processes as users run it (`snap2p listen` and `snap2p dial`, which must
// be built beside this binary) against a plain TCP echo across processes and the cipher work alone.
// Build with `-c release`. Arguments pick sections (throughput, handshakes, latency, memory, echo,
// send, rtt, handshakes-cli, rss, idle-sessions, discovery; all by default); `--quick` runs smaller sizes (a smoke test, not a
// measurement).

import Foundation

PlainEcho.runIfRequested(Array(CommandLine.arguments.dropFirst()))

if CommandLine.arguments.contains(where: { ["--help", "-h", "help"].contains($0) }) {
    print("""
        usage: snap2p-bench [SECTION ...] [--quick]

        Runs the named sections, or all of them: throughput, handshakes, latency, memory, discovery
        (both ends in this process) and echo, send, rtt, handshakes-cli, rss, idle-sessions (the snap2p CLI
        as separate processes; build it beside this binary). Build with -c release; --quick runs
        smaller sizes (a smoke test, not a measurement).
        """)
    exit(0)
}

let quick = CommandLine.arguments.contains("--quick")
let chosen = Set(CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("--") })
let transferBytes = quick ? 64 << 20 : 1 << 30
let echoBytes = quick ? 64 << 20 : 256 << 20
let repetitions = quick ? 1 : 3
var table = Benchmark.Table()

@MainActor func throughput() async throws {
    let gibibytes = Double(transferBytes) / Double(1 << 30)
    let cpuBefore = Benchmark.cpuSeconds()
    let raw = try await Benchmark.median(repetitions) { try await RawBaseline.sealedThroughput(totalBytes: transferBytes) }
    let rawCPU = (Benchmark.cpuSeconds() - cpuBefore) / Double(repetitions) / gibibytes
    let rawRate = Double(transferBytes) / raw / 1e6
    table.add("throughput, raw NIO + ChaChaPoly per 64 KiB", Benchmark.format(rawRate), "MB/s")
    table.add("  CPU (both ends)", Benchmark.format(rawCPU), "s/GiB")
    for writeSize in [1 << 20, 64 << 10] {
        let cpuBefore = Benchmark.cpuSeconds()
        let seconds = try await Benchmark.median(repetitions) {
            try await SNaP2PBenchmarks.throughput(totalBytes: transferBytes, writeSize: writeSize)
        }
        let cpu = (Benchmark.cpuSeconds() - cpuBefore) / Double(repetitions) / gibibytes
        let rate = Double(transferBytes) / seconds / 1e6
        table.add("throughput, SNaP2P stream, \(writeSize >> 10) KiB writes", Benchmark.format(rate), "MB/s")
        table.add("  ratio to raw", Benchmark.format(100 * rate / rawRate), "%")
        table.add("  CPU (both ends)", Benchmark.format(cpu), "s/GiB")
    }
}

@MainActor func handshakes() async throws {
    let count = quick ? 200 : 2000
    for concurrency in [1, 8] {
        let seconds = try await Benchmark.median(repetitions) {
            try await SNaP2PBenchmarks.handshakes(count: count, concurrency: concurrency)
        }
        table.add("handshakes, \(concurrency) at a time (both ends in process)", Benchmark.format(Double(count) / seconds), "/s")
    }
}

@MainActor func latency() async throws {
    let rounds = quick ? 2000 : 20000
    let raw = try await RawBaseline.pingPong(rounds: rounds)
    let stream = try await SNaP2PBenchmarks.streamRoundTrips(rounds: rounds)
    for (name, samples) in [("raw NIO", raw), ("SNaP2P stream", stream)] {
        for p in [50.0, 99.0] {
            table.add("1-byte round trip p\(Int(p)), \(name)", Benchmark.format(Benchmark.percentile(samples, p)), "µs")
        }
    }
}

@MainActor func memory() async throws {
    let session = try await SNaP2PBenchmarks.residentBytesPerIdleSession(count: quick ? 50 : 500)
    table.add("RSS per idle session (dialer + listener end)", Benchmark.format(session / 1024), "KiB")
    let stream = try await SNaP2PBenchmarks.residentBytesPerIdleStream(count: quick ? 500 : 5000)
    table.add("RSS per idle stream (both ends)", Benchmark.format(stream / 1024), "KiB")
}

/// Echo of `echoBytes` on one stream, `snap2p dial` against `snap2p listen`, next to the plain TCP
/// echo across processes and the cipher work alone (seal + open each way, one core).
@MainActor func echo() async throws {
    let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
    defer { listener.stop() }
    let plainServer = try await CrossProcessBenchmarks.Server.plainEcho()
    defer { plainServer.stop() }
    let run = try await Benchmark.medianRun(repetitions, by: \.megabytesPerSecond) {
        try await CrossProcessBenchmarks.snap2pEcho(server: listener, port: listener.port, bytes: echoBytes)
    }
    let plain = try await Benchmark.medianRun(repetitions, by: \.megabytesPerSecond) {
        try await CrossProcessBenchmarks.plainEcho(server: plainServer, port: plainServer.port, bytes: echoBytes)
    }
    let cipherCPU = try await Benchmark.median(repetitions) { try RawBaseline.echoCipherSeconds(totalBytes: echoBytes) }
    // Both cores on nothing but the cipher work.
    let cipherCeiling = Double(echoBytes) / (cipherCPU / Double(Benchmark.coreCount)) / 1e6
    table.add("echo across processes, snap2p dial <-> listen, 1 stream, \(echoBytes >> 20) MiB", Benchmark.format(run.megabytesPerSecond), "MB/s each way")
    table.add("  ratio to plain TCP echo across processes", Benchmark.format(100 * run.megabytesPerSecond / plain.megabytesPerSecond), "%")
    table.add("  ratio to the cipher ceiling", Benchmark.format(100 * run.megabytesPerSecond / cipherCeiling), "%")
    table.add("  CPU, dial process", Benchmark.format(run.clientCPU, decimals: 2), "s")
    table.add("  CPU, listen process", Benchmark.format(run.serverCPU, decimals: 2), "s")
    table.add("  CPU ratio to the cipher work", Benchmark.format((run.clientCPU + run.serverCPU) / cipherCPU, decimals: 2), "x")
    table.add("plain TCP echo across processes, \(echoBytes >> 20) MiB", Benchmark.format(plain.megabytesPerSecond), "MB/s each way")
    table.add("  CPU, client + server process", Benchmark.format(plain.clientCPU + plain.serverCPU, decimals: 2), "s")
    table.add("cipher work of that echo (ChaChaPoly seal + open each way, one core)", Benchmark.format(cipherCPU, decimals: 2), "CPU-s")
    table.add("  ceiling with \(Benchmark.coreCount) cores on it", Benchmark.format(cipherCeiling), "MB/s each way")
}

/// The same echo through ``DelayingProxy`` (25 ms each way): one stream, four streams carrying the
/// same bytes in all, and plain TCP.
@MainActor func rtt() async throws {
    let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
    defer { listener.stop() }
    let plainServer = try await CrossProcessBenchmarks.Server.plainEcho()
    defer { plainServer.stop() }
    let toListener = try await DelayingProxy.start(forwardingTo: listener.port, delay: .milliseconds(25))
    let toPlainServer = try await DelayingProxy.start(forwardingTo: plainServer.port, delay: .milliseconds(25))
    func snap2pRate(streams: Int) async throws -> Double {
        try await Benchmark.median(repetitions) {
            try await CrossProcessBenchmarks.snap2pEcho(server: listener, port: toListener.port, bytes: echoBytes, streams: streams)
                .megabytesPerSecond
        }
    }
    let one = try await snap2pRate(streams: 1)
    let four = try await snap2pRate(streams: 4)
    let plain = try await Benchmark.median(repetitions) {
        try await CrossProcessBenchmarks.plainEcho(server: plainServer, port: toPlainServer.port, bytes: echoBytes).megabytesPerSecond
    }
    try await toListener.close()
    try await toPlainServer.close()
    let total = "\(echoBytes >> 20) MiB"
    table.add("echo via a 25 ms each-way proxy, snap2p, 1 stream, \(total)", Benchmark.format(one), "MB/s each way")
    table.add("  same, 4 streams of \(echoBytes >> 22) MiB", Benchmark.format(four), "MB/s each way")
    table.add("  same, plain TCP echo, \(total)", Benchmark.format(plain), "MB/s each way")
    table.add("  ratio 1 stream / 4 streams", Benchmark.format(100 * one / four), "%")
    table.add("  ratio 1 stream / plain TCP", Benchmark.format(100 * one / plain), "%")
}

/// `snap2p send` of a file of `transferBytes` to `snap2p receive` across processes, run in turn
/// with the one-stream `snap2p dial`/`listen` echo so both see the same machine. Files live in
/// SNAP2P_BENCH_DIR (default: the temporary directory), so a slow disk shows in the figure.
@MainActor func send() async throws {
    let scratch = (ProcessInfo.processInfo.environment["SNAP2P_BENCH_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        ?? FileManager.default.temporaryDirectory.path) + "/snap2p-bench-send-\(getpid())"
    let inbox = scratch + "/inbox"
    try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let file = scratch + "/file.bin"
    try Benchmark.writeIncompressibleFile(at: file, bytes: transferBytes)
    let receiver = try await CrossProcessBenchmarks.Server.snap2pReceiver(into: inbox)
    defer { receiver.stop() }
    let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
    defer { listener.stop() }
    var sends: [CrossProcessBenchmarks.EchoRun] = [], echoes: [CrossProcessBenchmarks.EchoRun] = []
    for _ in 0..<repetitions {
        sends.append(try await CrossProcessBenchmarks.send(file: file, to: receiver))
        for name in try FileManager.default.contentsOfDirectory(atPath: inbox) {
            try FileManager.default.removeItem(atPath: inbox + "/" + name)
        }
        echoes.append(try await CrossProcessBenchmarks.snap2pEcho(server: listener, port: listener.port, bytes: echoBytes))
    }
    let send = sends.sorted { $0.megabytesPerSecond < $1.megabytesPerSecond }[sends.count / 2]
    let echo = echoes.sorted { $0.megabytesPerSecond < $1.megabytesPerSecond }[echoes.count / 2]
    table.add("send across processes, snap2p send -> receive, \(transferBytes >> 20) MiB (hash, send, verify, rename)",
              Benchmark.format(send.megabytesPerSecond), "MB/s")
    table.add("  ratio to the snap2p echo in the same run", Benchmark.format(100 * send.megabytesPerSecond / echo.megabytesPerSecond), "%")
    table.add("  CPU, send process", Benchmark.format(send.clientCPU, decimals: 2), "s")
    table.add("  CPU, receive process", Benchmark.format(send.serverCPU, decimals: 2), "s")
    let mebibyte = Double(1 << 20)
    table.add("  peak RSS, send process", Benchmark.format(Double(send.clientPeakResidentBytes) / mebibyte), "MiB")
    table.add("  peak RSS, receive process (over all runs)",
              Benchmark.format(Double(Benchmark.residentBytes(process: receiver.process.pid, peak: true)) / mebibyte), "MiB")
    table.add("  files in", scratch, "")
    table.add("echo across processes, snap2p dial <-> listen, 1 stream, \(echoBytes >> 20) MiB, same run",
              Benchmark.format(echo.megabytesPerSecond), "MB/s each way")
}

/// Handshakes by one `snap2p dial` process against `snap2p listen`: one after another, and
/// with several in flight (how many sessions a second the listener can admit).
@MainActor func handshakesCLI() async throws {
    let count = quick ? 100 : 500, parallel = 8
    let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
    defer { listener.stop() }
    let rate = try await Benchmark.median(repetitions) {
        try await CrossProcessBenchmarks.handshakesPerSecond(server: listener, count: count)
    }
    let inProcess = try await Double(count) / Benchmark.median(repetitions) {
        try await SNaP2PBenchmarks.handshakes(count: count, concurrency: 1)
    }
    let parallelRate = try await Benchmark.median(repetitions) {
        try await CrossProcessBenchmarks.handshakesPerSecond(server: listener, count: count, parallel: parallel)
    }
    table.add("handshakes across processes, snap2p dial --handshake-only --repeat \(count)", Benchmark.format(rate), "/s")
    table.add("  ratio to both ends in process, 1 at a time", Benchmark.format(100 * rate / inProcess), "%")
    table.add("  same, --parallel \(parallel) (\(parallel) in flight)", Benchmark.format(parallelRate), "/s")
}

/// Whether `snap2p listen` gives memory back: its RSS after a warm-up and after many sessions
/// (handshake-only, and 1 MiB echoes, each from dial processes).
@MainActor func rss() async throws {
    let handshakeBatches = quick ? 1 : 6, echoes = quick ? 20 : 120
    let listener = try await CrossProcessBenchmarks.Server.snap2pListener()
    defer { listener.stop() }
    func echoOneMebibyte() async throws {
        _ = try await CrossProcessBenchmarks.snap2pEcho(server: listener, port: listener.port, bytes: 1 << 20)
    }
    _ = try await CrossProcessBenchmarks.handshakesPerSecond(server: listener, count: 200)
    for _ in 0..<5 { try await echoOneMebibyte() }
    let before = try await listener.settledResidentBytes()
    for _ in 0..<handshakeBatches {
        _ = try await CrossProcessBenchmarks.handshakesPerSecond(server: listener, count: 1000)
    }
    for _ in 0..<echoes { try await echoOneMebibyte() }
    let after = try await listener.settledResidentBytes()
    let mebibyte = Double(1 << 20)
    table.add("listen process RSS after warm-up (200 handshakes, 5 x 1 MiB echo)", Benchmark.format(Double(before) / mebibyte), "MiB")
    table.add("  after \(handshakeBatches * 1000) more handshakes and \(echoes) x 1 MiB echo", Benchmark.format(Double(after) / mebibyte), "MiB")
    table.add("  growth", Benchmark.format(Double(after - before) / mebibyte), "MiB")
}

/// Idle sessions held open on one `snap2p listen` (10,000; 1,000 with --quick).
@MainActor func idleSessions() async throws {
    let result = try await IdleSessions.run(count: quick ? 1000 : 10_000)
    table.add("idle sessions held on one snap2p listen", "\(result.sessions)", "")
    table.add("  listener memory per idle session", Benchmark.format(result.bytesPerSession / 1024), "KiB")
    table.add("  time to open them, 32 dials at a time", Benchmark.format(result.openingSeconds), "s")
    table.add("  a new session's handshake with all of them open (median of 5)", Benchmark.format(result.newSessionMilliseconds), "ms")
}

/// PX-1: a dial by principal through N connected peers that know the target, in one process.
@MainActor func discovery() async throws {
    for resolvers in [1, 4, 8] {
        let result = try await DiscoveryLatency.run(resolvers: resolvers, rounds: quick ? 5 : 50)
        table.add("PX-1 resolve through \(resolvers) connected peers (median)", Benchmark.format(result.resolve), "ms")
        table.add("  dial by principal, empty cache (resolve + handshake)", Benchmark.format(result.dialByPrincipal), "ms")
        table.add("  dial by address, for comparison", Benchmark.format(result.dialByAddress), "ms")
    }
    let mebibyte = Double(1 << 20)
    table.add("full locator cache (4,096 principals x 8 ip:port locators), RSS", Benchmark.format(Double(DiscoveryLatency.fullCacheBytes(long: false)) / mebibyte), "MiB")
    table.add("  with 253-byte DNS names (the worst case)", Benchmark.format(Double(DiscoveryLatency.fullCacheBytes(long: true)) / mebibyte), "MiB")
}

let sections: [(String, () async throws -> Void)] = [
    ("throughput", throughput), ("handshakes", handshakes), ("latency", latency), ("memory", memory),
    ("echo", echo), ("send", send), ("rtt", rtt), ("handshakes-cli", handshakesCLI), ("rss", rss),
    ("idle-sessions", idleSessions), ("discovery", discovery),
]
/// Ends the run with a message on stderr instead of a crash report.
func quit(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("snap2p-bench: \(message)\n".utf8))
    exit(status)
}
let unknown = chosen.subtracting(sections.map(\.0))
if !unknown.isEmpty {
    quit("no section \(unknown.sorted().joined(separator: ", ")); sections: "
        + sections.map(\.0).joined(separator: ", "), status: 64)
}
print("snap2p-bench: \(transferBytes >> 20) MiB per transfer in process, \(echoBytes >> 20) MiB per echo across processes, "
    + "median of \(repetitions) runs, \(Benchmark.coreCount) cores")
for (name, run) in sections where chosen.isEmpty || chosen.contains(name) {
    do {
        try await run()
    } catch {
        table.print()
        quit("\(name): \(error)", status: 1)
    }
}
table.print()
