#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// snap2p-bench: SNaP2P against plain SwiftNIO with the same cipher work, over loopback in one
// process. Build with `-c release`. `--quick` runs smaller sizes (a smoke test, not a measurement).

let quick = CommandLine.arguments.contains("--quick")
let gibibyte = 1 << 30
let transferBytes = quick ? 64 << 20 : gibibyte
let runs = quick ? 1 : 3

var table = Benchmark.Table()

print("snap2p-bench: \(transferBytes >> 20) MiB per transfer, median of \(runs) runs, \(Benchmark.coreCount) cores")

let raw = try await Benchmark.median(runs) { try await RawBaseline.sealedThroughput(totalBytes: transferBytes) }
let rawRate = Double(transferBytes) / raw / 1e6
table.add("throughput, raw NIO + ChaChaPoly per 64 KiB", Benchmark.format(rawRate), "MB/s")

for writeSize in [1 << 20, 64 << 10] {
    let seconds = try await Benchmark.median(runs) {
        try await SNaP2PBenchmarks.throughput(totalBytes: transferBytes, writeSize: writeSize)
    }
    let rate = Double(transferBytes) / seconds / 1e6
    table.add("throughput, SNaP2P stream, \(writeSize >> 10) KiB writes", Benchmark.format(rate), "MB/s")
    table.add("  ratio to raw", Benchmark.format(100 * rate / rawRate), "%")
}

let handshakeCount = quick ? 200 : 2000
for concurrency in [1, 8] {
    let seconds = try await Benchmark.median(runs) {
        try await SNaP2PBenchmarks.handshakes(count: handshakeCount, concurrency: concurrency)
    }
    table.add("handshakes, \(concurrency) at a time (both ends in process)", Benchmark.format(Double(handshakeCount) / seconds), "/s")
}

let rounds = quick ? 2000 : 20000
let rawRoundTrips = try await RawBaseline.pingPong(rounds: rounds)
let streamRoundTrips = try await SNaP2PBenchmarks.streamRoundTrips(rounds: rounds)
table.add("1-byte round trip p50, raw NIO", Benchmark.format(Benchmark.percentile(rawRoundTrips, 50)), "µs")
table.add("1-byte round trip p99, raw NIO", Benchmark.format(Benchmark.percentile(rawRoundTrips, 99)), "µs")
table.add("1-byte round trip p50, SNaP2P stream", Benchmark.format(Benchmark.percentile(streamRoundTrips, 50)), "µs")
table.add("1-byte round trip p99, SNaP2P stream", Benchmark.format(Benchmark.percentile(streamRoundTrips, 99)), "µs")

let sessionBytes = try await SNaP2PBenchmarks.residentBytesPerIdleSession(count: quick ? 50 : 500)
table.add("RSS per idle session (dialer + listener end)", Benchmark.format(sessionBytes / 1024), "KiB")
let streamBytes = try await SNaP2PBenchmarks.residentBytesPerIdleStream(count: quick ? 500 : 5000)
table.add("RSS per idle stream (both ends)", Benchmark.format(streamBytes / 1024), "KiB")

table.print()
