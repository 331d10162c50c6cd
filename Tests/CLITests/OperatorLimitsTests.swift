import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an operator meets under load and faults, with `snap2p` run as separate processes on
/// 127.0.0.1: the listener's rate limit, the open-file limit, peers that die or go silent.
@Suite struct OperatorLimitsTests {
    // MARK: Rate limit

    @Test func rateLimitTurnsAwayTheConnectionOverIt() async throws {
        let listener = try await RunningListener.start(["--testnet", "--rate-limit", "2/60"])
        defer { listener.stop() }
        let result = try await SNaP2PExecutable.run([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--handshake-only", "--repeat", "3", "--json",
        ])
        let events = try result.lines.map(jsonObject)
        #expect(events.filter { $0["event"] as? String == "connected" }.count == 2, "\(result.standardOutput)")
        #expect(events.last?["event"] as? String == "error")
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("--rate-limit"), "the hint names the likely cause: \(result.standardError)")
    }

    /// A stealth listener admits 5 connections a minute from one address unless told otherwise.
    @Test func rateLimitOffServesManyQuickConnections() async throws {
        let token = String(repeating: "5a", count: 16)
        let dial = { (port: Int) in
            try await SNaP2PExecutable.run([
                "dial", "127.0.0.1:\(port)", "--testnet", "--token", token, "--handshake-only", "--repeat", "12", "--json",
            ])
        }
        let limited = try await RunningListener.start(["--testnet", "--stealth", "--token", token])
        defer { limited.stop() }
        let refused = try await dial(limited.port)
        #expect(refused.status == 3)
        #expect(try refused.lines.map(jsonObject).filter { $0["event"] as? String == "connected" }.count == 5)

        let unlimited = try await RunningListener.start(["--testnet", "--stealth", "--token", token, "--rate-limit", "off"])
        defer { unlimited.stop() }
        let served = try await dial(unlimited.port)
        #expect(served.status == 0, "\(served.standardError)")
        #expect(try served.lines.map(jsonObject).filter { $0["event"] as? String == "connected" }.count == 12)
    }

    @Test(arguments: ["5", "0/60", "5/0", "x/60", "5/60/1", "5/100000", "-1/60", "5 per minute"])
    func aBadRateLimitIsRefusedWithTheExpectedForm(value: String) async throws {
        let result = try await SNaP2PExecutable.run(["listen", "0", "--host", "127.0.0.1", "--rate-limit=\(value)"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("expected N/SECONDS"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    // MARK: Open-file limit

    @Test func listenRaisesItsOpenFileLimitAndReportsTheSessionsItAllows() async throws {
        let hard = Self.hardOpenFileLimit
        try #require(hard > 1024, "the test needs a hard open-file limit above 1024, not \(hard)")
        let command = "exec \"$0\" listen 0 --host 127.0.0.1 --testnet"

        let raised = try RunningProcess(shell: "ulimit -S -n 256 && " + command + " --json")
        defer { raised.stop() }
        let ready = try await raised.nextEvent()
        #expect(ready["event"] as? String == "ready")
        #expect(ready["max_sessions"] as? Int == min(hard - 64, 65_536), "\(ready)")

        let text = try RunningProcess(shell: "ulimit -S -n 256 && " + command)
        defer { text.stop() }
        _ = try await text.nextLine()
        #expect(try await text.nextLine() == "Room for about \(min(hard - 64, 65_536)) sessions (open-file limit \(hard))")

        // Where the hard limit is low too, the figure follows it.
        let capped = try RunningProcess(shell: "ulimit -n 256 && " + command + " --json")
        defer { capped.stop() }
        #expect(try await capped.nextEvent()["max_sessions"] as? Int == 256 - 64)
    }

    #if os(Linux)
    /// At its descriptor limit a listener refuses what it cannot take (closing it, rather than
    /// leaving it in the backlog) and sleeps, instead of retrying accept at 100% of a core; once
    /// descriptors are free it serves again.
    @Test func aListenerAtItsDescriptorLimitShedsNewConnectionsAndStaysIdle() async throws {
        let listener = try RunningProcess(shell: "ulimit -n 64 && exec \"$0\" listen 0 --host 127.0.0.1 --testnet --json")
        defer { listener.stop() }
        let port = try #require(try await listener.nextEvent()["port"] as? Int)
        // More idle connections than descriptors: the kernel queues what the listener cannot accept.
        let sockets = (0..<100).compactMap { _ in Self.connect(port: port) }
        // Closed once, below, or here if the test stops early: a second close would hit whatever
        // descriptor the number was given to meanwhile (a NIO socket of a test running in parallel,
        // which then traps in epoll_ctl).
        var unclosed = sockets
        defer { unclosed.forEach { close($0) } }
        #expect(sockets.count == 100)
        try await Task.sleep(for: .seconds(1))

        let before = try Self.cpuSeconds(listener.processIdentifier)
        try await Task.sleep(for: .seconds(3))
        let used = try Self.cpuSeconds(listener.processIdentifier) - before
        // A listener that retries accept burns the whole 3 s.
        #expect(used < 1.5, "\(used) s of CPU in 3 s at the descriptor limit")
        // Connections it had no room for were closed by it, about one a second.
        let closedByListener = sockets.filter(Self.hasEnded).count
        #expect(closedByListener >= 1)

        sockets.forEach { close($0) }
        unclosed = []
        let dial = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(port)", "--testnet", "--handshake-only"])
        #expect(dial.status == 0, "\(dial.standardError)")
    }

    /// A blocking TCP connection to 127.0.0.1:`port`, or nil.
    private static func connect(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Whether the other end closed the connection (EOF or reset), without waiting.
    private static func hasEnded(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// User and system CPU seconds the process has used (`/proc/PID/stat`).
    private static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (try #require(Double(fields[11])) + (try #require(Double(fields[12])))) / ticks
    }
    #endif

    @Test func maxSessionsIsReportedAndEnforced() async throws {
        let listener = try await RunningListener.start(["--testnet", "--max-sessions", "1", "--max-streams-per-session", "1"])
        defer { listener.stop() }
        #expect(listener.ready["max_sessions"] as? Int == 1)
        // One session held open (a chat waits for input); the next dial is closed at accept.
        let holder = try RunningProcess(["chat", "127.0.0.1:\(listener.port)", "--testnet"])
        defer { holder.stop() }
        #expect(try await listener.nextEvent()["event"] as? String == "connected")
        let refused = try await SNaP2PExecutable.run(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--json"])
        #expect(refused.status != 0)
        #expect(try refused.lines.map(jsonObject).last?["code"] as? String == "CONNECTION_CLOSED", "\(refused.lines)")
    }

    @Test(arguments: [
        "--max-sessions", "--max-sessions-per-address", "--max-sessions-per-principal", "--max-handshakes",
        "--max-streams-per-session", "--max-buffered",
    ])
    func aLimitBelowOneIsRefused(option: String) async throws {
        let result = try await SNaP2PExecutable.run(["listen", "0", option, "0"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("\(option) must be at least 1"), "\(result.standardError)")
    }

    /// The soft limit the CLI raises itself to: the hard limit, as far as the system allows one.
    private static var hardOpenFileLimit: Int {
        var limit = rlimit()
        #if canImport(Glibc)
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return limit.rlim_max == rlim_t.max ? 1 << 20 : Int(limit.rlim_max)
        #else
        guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return 0 }
        return Int(min(limit.rlim_max, rlim_t(OPEN_MAX)))
        #endif
    }

    // MARK: Peers that die or go silent

    /// SIGKILL of the listener mid-transfer: the dialer names the cause, not a stream code.
    @Test func aListenerKilledMidTransferIsReportedByTheDialer() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let dialer = try RunningProcess(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--bytes", "20000000000", "--json"])
        defer { dialer.stop() }
        #expect(try await dialer.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.nextEvent()["event"] as? String == "connected")
        try await Task.sleep(for: .milliseconds(300))
        listener.process.send(SIGKILL)

        #expect(try await dialer.exitStatus() == 5)
        let error = try await dialer.nextEvent()
        #expect(error["event"] as? String == "error")
        #expect(error["code"] as? String == "CONNECTION_CLOSED")
        let message = try #require(error["error"] as? String)
        #expect(Self.namesTheCause(message), "\(message)")
        #expect(dialer.standardError.contains("was cut off: connection"), "\(dialer.standardError)")
        #expect(!dialer.standardError.contains("STREAM_CLOSED"))
    }

    /// SIGKILL of the dialer mid-transfer: the listener's `closed` event names the cause.
    @Test func aDialerKilledMidTransferIsReportedByTheListener() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let dialer = try RunningProcess(["dial", "127.0.0.1:\(listener.port)", "--testnet", "--bytes", "20000000000", "--json"])
        defer { dialer.stop() }
        #expect(try await dialer.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.nextEvent()["event"] as? String == "connected")
        try await Task.sleep(for: .milliseconds(300))
        dialer.send(SIGKILL)

        let closed = try await listener.nextEvent()
        #expect(closed["event"] as? String == "closed")
        #expect(closed["code"] as? String == "CONNECTION_CLOSED")
        let message = try #require(closed["error"] as? String, "\(closed)")
        #expect(Self.namesTheCause(message), "\(message)")
    }

    /// A killed process's socket is reset when data it had not read was waiting, else closed.
    private static func namesTheCause(_ message: String) -> Bool {
        message.contains("connection reset by peer") || message.contains("connection closed by peer")
    }

    /// SIGSTOP of the dialer: its socket stays open but nothing answers, and the listener's keepalive
    /// (1 s PINGs, 2 s for a PONG) ends the session within interval + timeout + 2 s. With the default
    /// timing (30 s + 10 s) nothing would happen within the 20 s allowed here.
    @Test(arguments: [["listen", "0"], ["chat", "--listen", "0"]])
    func aDialerThatGoesSilentIsNoticedWithinTheKeepaliveBound(listenCommand: [String]) async throws {
        let listener = try RunningProcess(
            listenCommand + ["--host", "127.0.0.1", "--testnet", "--json", "--keepalive-interval", "1", "--keepalive-timeout", "2"])
        defer { listener.stop() }
        let port = try #require(try await listener.nextEvent()["port"] as? Int)
        let dialer = try RunningProcess(["chat", "127.0.0.1:\(port)", "--testnet", "--json"])
        defer { dialer.stop() }
        #expect(try await dialer.nextEvent()["event"] as? String == "connected")
        #expect(try await listener.nextEvent()["event"] as? String == "connected")

        dialer.send(SIGSTOP)
        let stopped = ContinuousClock.now
        let ended = try await listener.nextEvent(timeout: .seconds(20))
        let elapsed = ContinuousClock.now - stopped
        #expect(["closed", "error"].contains(ended["event"] as? String), "\(ended)")
        #expect(ended["code"] as? String == "TIMEOUT", "\(ended)")
        #expect(elapsed < .seconds(20))
    }

    /// The same from the dialer's side: a listener stopped mid-transfer is noticed by `dial`'s keepalive.
    @Test func aListenerThatGoesSilentMidTransferIsNoticedByTheDialer() async throws {
        let listener = try await RunningListener.start(["--testnet"])
        defer { listener.stop() }
        let dialer = try RunningProcess([
            "dial", "127.0.0.1:\(listener.port)", "--testnet", "--bytes", "20000000000", "--json",
            "--keepalive-interval", "1", "--keepalive-timeout", "2",
        ])
        defer { dialer.stop() }
        #expect(try await dialer.nextEvent()["event"] as? String == "connected")
        try await Task.sleep(for: .milliseconds(300))
        listener.process.send(SIGSTOP)
        let stopped = ContinuousClock.now

        let error = try await dialer.nextEvent(timeout: .seconds(20))
        #expect(ContinuousClock.now - stopped < .seconds(20))
        #expect(error["event"] as? String == "error")
        #expect(error["code"] as? String == "TIMEOUT", "\(error)")
        #expect(try await dialer.exitStatus() == 5)
    }

    @Test(arguments: ["0", "-5", "86401", "soon"])
    func aBadKeepaliveSettingIsRefused(value: String) async throws {
        for option in ["--keepalive-interval", "--keepalive-timeout"] {
            let result = try await SNaP2PExecutable.run(["dial", "127.0.0.1:9", option, value])
            #expect(result.status == 64, "\(option) \(value)")
            #expect(result.standardError.contains(option), "\(result.standardError)")
        }
    }
}
