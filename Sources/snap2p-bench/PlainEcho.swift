import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cross-process baseline: a plain TCP echo, no crypto and no framing, with blocking POSIX
/// sockets and a thread per direction. This binary re-executes itself as its server and client
/// (hidden modes), so it runs as separate processes exactly like `snap2p listen` and `dial`, and
/// prints the same JSON events (`ready` with the port; `done` with bytes, seconds, mb_per_s).
enum PlainEcho {
    static let serverMode = "_plain-echo-server"
    static let clientMode = "_plain-echo-client"
    private static let bufferSize = 256 << 10

    /// The arguments that run the server: it echoes every connection until killed.
    static var serverArguments: [String] { [serverMode] }

    /// The arguments that run one client: `bytes` sent to `port` on 127.0.0.1 and read back.
    static func clientArguments(port: Int, bytes: Int) -> [String] { [clientMode, String(port), String(bytes)] }

    /// Runs the hidden mode named by `arguments` (those after the executable) and exits;
    /// returns if they name none.
    static func runIfRequested(_ arguments: [String]) {
        switch arguments.first {
        case serverMode?:
            serve()
        case clientMode?:
            guard arguments.count == 3, let port = Int(arguments[1]), let bytes = Int(arguments[2]) else { break }
            echo(port: port, bytes: bytes)
        default:
            return
        }
        fail("usage: \(serverMode) | \(clientMode) PORT BYTES")
    }

    private static func serve() -> Never {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard listener >= 0,
              withSockaddr(&address, { bind(listener, $0, length) }) == 0,
              Glibc.listen(listener, 64) == 0,
              withSockaddr(&address, { getsockname(listener, $0, &length) }) == 0
        else { fail("cannot listen: \(systemError)") }
        print(#"{"event":"ready","port":\#(UInt16(bigEndian: address.sin_port))}"#)
        fflush(nil)
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: bufferSize)
                while true {
                    let count = read(connection, &buffer, buffer.count)
                    guard count > 0, writeAll(connection, buffer[..<count]) else { break }
                }
                close(connection)
            }
        }
    }

    /// Writes `bytes` from one thread while this one reads the echo; prints the `done` event.
    private static func echo(port: Int, bytes: Int) -> Never {
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: UInt16(port))
        guard connection >= 0,
              withSockaddr(&address, { connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }) == 0
        else { fail("cannot connect to 127.0.0.1:\(port): \(systemError)") }
        let start = ContinuousClock.now
        Thread.detachNewThread {
            let block = [UInt8](repeating: 0x42, count: bufferSize)
            var remaining = bytes
            while remaining > 0 {
                let count = min(remaining, block.count)
                guard writeAll(connection, block[..<count]) else { fail("write failed: \(systemError)") }
                remaining -= count
            }
        }
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        var received = 0
        while received < bytes {
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { fail("the echo ended after \(received) of \(bytes) bytes") }
            received += count
        }
        let seconds = Benchmark.seconds(.now - start)
        close(connection)
        print(#"{"event":"done","bytes":\#(bytes),"seconds":\#(seconds),"mb_per_s":\#(Double(bytes) / seconds / 1e6)}"#)
        exit(0)
    }

    private static func writeAll(_ socket: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(socket, raw.baseAddress! + offset, raw.count - offset)
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func withSockaddr<Result>(_ address: inout sockaddr_in, _ body: (UnsafeMutablePointer<sockaddr>) -> Result) -> Result {
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }

    private static var systemError: String { String(cString: strerror(errno)) }

    private static func fail(_ message: String) -> Never {
        print(#"{"event":"error","error":"\#(message)"}"#)
        exit(1)
    }
}
