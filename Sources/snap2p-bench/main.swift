// snap2p-bench: SNaP2P against plain SwiftNIO with the same cipher work, over loopback in one
// process. Build with `-c release`. Arguments pick sections (throughput, handshakes, latency,
// memory; all by default); `--quick` runs smaller sizes (a smoke test, not a measurement).

let quick = CommandLine.arguments.contains("--quick")
let chosen = Set(CommandLine.arguments.dropFirst().filter { !$0.hasPrefix("--") })
let transferBytes = quick ? 64 << 20 : 1 << 30
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

print("snap2p-bench: \(transferBytes >> 20) MiB per transfer, median of \(repetitions) runs, \(Benchmark.coreCount) cores")
let sections: [(String, () async throws -> Void)] = [
    ("throughput", throughput), ("handshakes", handshakes), ("latency", latency), ("memory", memory),
]
for (name, run) in sections where chosen.isEmpty || chosen.contains(name) {
    try await run()
}
table.print()
