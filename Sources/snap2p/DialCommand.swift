import ArgumentParser
import Foundation
import SNaP2P

/// `snap2p dial`: connects to a peer (typically `snap2p listen`) and checks the session: handshakes
/// only (optionally many, for a rate), or streams whose echo must come back byte for byte.
struct DialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dial",
        abstract: "Connect to a peer, send on streams and verify the echo.",
        discussion: """
            Opens --streams streams labelled "chat", sends the message (or --bytes deterministic \
            bytes) on each, finishes them and checks that the echo is complete and identical. The \
            identity is a fresh throwaway one unless --wallet names a stored wallet. A stacks: principal \
            is found through PX-1: each --via peer is asked where it listens, and only that principal is \
            accepted there. Exit status 0 on success; otherwise the error, with its protocol code (e.g. \
            NOT_ALLOWED, INVALID_TOKEN), and the status of docs/CLI.md (9: nobody knew the principal).

            Examples:
              snap2p dial 127.0.0.1:9000 -m "hello"
              snap2p dial [::1]:9000 --bytes 104857600 --streams 4 --json
              snap2p dial example.org:9000 --handshake-only --repeat 1000 --json
              snap2p dial 10.0.0.2:9000 --token 6f1c...
              snap2p dial 10.0.0.2:9000 --expect stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
              snap2p dial stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7 --via 10.0.0.3:9000 -m hi
              snap2p dial relay:relay.example.org:9100 --expect stacks:SP2J6ZY48GV1EZ5V2V5RB9MP66SW86PYKKNRV9EJ7
              snap2p dial 203.0.113.12:41000 --simultaneous-open --from-port 40000 --expect stacks:ST...
            """
    )

    @Argument(help: ArgumentHelp(
        "The peer: host:port, [ipv6]:port, a stacks: principal (with --via), or relay:HOST:PORT (through that relay, "
            + "to the principal of --expect).",
        valueName: "host:port|principal|relay:host:port"))
    var address: String

    @OptionGroup var viaOptions: ViaOptions

    @Flag(help: "Only complete the handshake, then close.")
    var handshakeOnly = false

    @Option(help: "With --handshake-only: this many handshakes one after another, and their rate.")
    var `repeat` = 1

    @Option(help: "With --handshake-only --repeat: keep this many handshakes in flight at once (a load test of the listener).")
    var parallel = 1

    @Option(name: [.customShort("m"), .long], help: "The text to send on each stream.")
    var message = "Hello from SNaP2P!"

    @Option(help: "Send this many deterministic bytes on each stream instead of the message.")
    var bytes: Int?

    @Option(help: "How many streams to open at once.")
    var streams = 1

    @Option(help: ArgumentHelp("The invite token of a stealth listener (hex).", valueName: "hex"))
    var token: String?

    @Option(help: NoisePolicyOption.help)
    var noise = NoisePolicyOption.preferStandard

    @Flag(help: "Use a testnet identity (ST... principals).")
    var testnet = false

    @Flag(help: "Print one JSON object per line (events: resolving, resolved, connected, relayed, echo, upgraded, upgrade_failed, done, error).")
    var json = false

    @OptionGroup var walletOptions: WalletUnlockOptions

    @OptionGroup var aliasOptions: AliasOptions

    @Option(help: ArgumentHelp(
        "Accept only a peer that proves this principal; any other is refused during the handshake.", valueName: "principal"))
    var expect: String?

    @OptionGroup var keepaliveOptions: KeepaliveOptions

    @OptionGroup var upgradeWait: UpgradeWaitOptions

    @Option(help: ArgumentHelp(
        "Connect from this local port, with SO_REUSEADDR and SO_REUSEPORT so it can be used again at once "
            + "(e.g. for --simultaneous-open toward the address a relay saw).", valueName: "port"))
    var fromPort: Int?

    @Flag(help: ArgumentHelp(
        "Open the connection by TCP simultaneous open (hole punching): connect from --from-port to the address, "
            + "the remote's public mapping, while the remote runs `listen PORT --simultaneous-open` toward ours. Needs --expect."))
    var simultaneousOpen = false

    @OptionGroup var simultaneousOpenOptions: SimultaneousOpenOptions

    func validate() throws {
        if let fromPort, !(1...65535).contains(fromPort) { throw ValidationError("--from-port must be 1-65535") }
        if simultaneousOpen, fromPort == nil || expect == nil {
            throw ValidationError("--simultaneous-open needs --from-port and --expect")
        }
        if simultaneousOpen, token != nil { throw ValidationError("--simultaneous-open takes no --token") }
        guard self.repeat >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard self.repeat == 1 || handshakeOnly else { throw ValidationError("--repeat needs --handshake-only") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard parallel == 1 || self.repeat > 1 else { throw ValidationError("--parallel needs --repeat") }
        guard parallel == 1 || fromPort == nil else { throw ValidationError("--parallel cannot share one --from-port") }
        guard streams >= 1 else { throw ValidationError("--streams must be at least 1") }
        if let bytes, bytes < 0 { throw ValidationError("--bytes must not be negative") }
        let target = try DialTarget(parsing: address)
        try viaOptions.validate(target: target)
        if let expect {
            let expected: Principal
            do { expected = try Principal(expect) } catch { throw ValidationError("--expect \(expect): \(error)") }
            if case .principal(let principal) = target, principal != expected {
                throw ValidationError("--expect \(expect) differs from the principal dialed")
            }
        }
        if case .relay = target, expect == nil {
            throw ValidationError("relay:HOST:PORT needs --expect PRINCIPAL: the relay connects to the peer reserved under it")
        }
    }

    func run() async throws {
        let output = PeerEventOutput(json: json)
        let inviteToken = try token.map(PeerEventOutput.decodeToken)
        let configuration = PeerConfiguration(
            network: testnet ? .testnet : .mainnet, keepalive: keepaliveOptions.keepalive, noisePolicy: noise.policy,
            alias: try aliasOptions.resolveOrExit(wallet: walletOptions.wallet, store: walletOptions.storeOptions.store, json: json))
        let peer = Peer(wallet: try walletOptions.unlockOrExit(testnet: testnet, json: json), configuration: configuration)
        do {
            if handshakeOnly {
                try await handshakes(peer: peer, inviteToken: inviteToken, output: output)
            } else {
                try await exchange(peer: peer, inviteToken: inviteToken, output: output)
            }
        } catch let failure as CommandFailure {
            throw failure.exit(json: json)
        } catch {
            throw CommandFailure.session(error, remote: address).exit(json: json)
        }
    }

    /// Dials once; a failure is explained as ``CommandFailure/dialing(_:address:localPrincipal:usedToken:listenCommand:)``.
    private func connect(peer: Peer, inviteToken: [UInt8]?) async throws -> Connection {
        if case .principal(let principal) = try DialTarget(parsing: address) {
            let dialing = PrincipalDialing(peer: peer, via: viaOptions.via, output: PeerEventOutput(json: json))
            return try await dialing.dial(principal, inviteToken: inviteToken, listenCommand: "listen")
        }
        do {
            if let expect, case .relay(let relayAddress) = try DialTarget(parsing: address) {
                return try await peer.dial(try Principal(expect), viaRelay: relayAddress, inviteToken: inviteToken)
            }
            if simultaneousOpen, let fromPort, let expect {
                return try await simultaneousOpenOptions.connect(peer, to: address, from: fromPort, expecting: try Principal(expect))
            }
            if let expect {
                return try await peer.dial(address, expecting: try Principal(expect), inviteToken: inviteToken, reusableLocalPort: fromPort)
            }
            return try await peer.dial(address, inviteToken: inviteToken, reusableLocalPort: fromPort)
        } catch {
            throw CommandFailure.dialing(
                error, address: address, localPrincipal: peer.principal, usedToken: inviteToken != nil, listenCommand: "listen")
        }
    }

    /// `--handshake-only [--repeat M [--parallel K]]`: M handshakes, each closed at once, in K lanes
    /// that each dial one after another.
    private func handshakes(peer: Peer, inviteToken: [UInt8]?, output: PeerEventOutput) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let lanes = min(parallel, self.repeat)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                let count = self.repeat / lanes + (lane < self.repeat % lanes ? 1 : 0)
                group.addTask {
                    for _ in 0..<count {
                        let begun = clock.now
                        let connection = try await connect(peer: peer, inviteToken: inviteToken)
                        output.connected(connection, from: nil, handshakeTime: clock.now - begun)
                        await connection.close()
                    }
                }
            }
            try await group.waitForAll()
        }
        guard self.repeat > 1 else { return }
        let seconds = PeerEventOutput.milliseconds(clock.now - start) / 1000
        var event = PeerEvent("done")
        event.handshakes = self.repeat
        event.parallel = lanes > 1 ? lanes : nil
        event.seconds = seconds
        event.handshakesPerSecond = Double(self.repeat) / seconds
        output.emit(event, text: "\(self.repeat) handshakes in \(PeerEventOutput.format(seconds)) s"
            + (lanes > 1 ? ", \(lanes) at a time" : "")
            + ": \(PeerEventOutput.format(Double(self.repeat) / seconds)) per second")
    }

    /// Streams whose echo must match what was sent.
    private func exchange(peer: Peer, inviteToken: [UInt8]?, output: PeerEventOutput) async throws {
        let clock = ContinuousClock()
        let begun = clock.now
        let connection = try await connect(peer: peer, inviteToken: inviteToken)
        output.connected(connection, from: nil, handshakeTime: clock.now - begun)
        let payload: EchoPayload = bytes.map { .deterministic(count: $0) } ?? .text(message)
        let start = clock.now
        let relayed = connection.path.isRelayed
        try await echo(payload, on: connection, showingPath: relayed, output: output)
        var rounds = 1
        if relayed, upgradeWait.upgradeSeconds > 0 {
            let outcome = await upgradeWait.outcome(of: connection)
            output.upgrade(of: connection, ended: outcome)
            if case .upgraded = outcome {
                try await echo(payload, on: connection, showingPath: true, output: output)
                rounds += 1
            }
        }
        let seconds = PeerEventOutput.milliseconds(clock.now - start) / 1000
        await connection.close()
        let total = payload.count * streams * rounds
        var event = PeerEvent("done")
        event.bytes = total
        event.seconds = seconds
        event.megabytesPerSecond = Double(total) / seconds / 1e6
        output.emit(event, text: "\(total) bytes echoed in \(PeerEventOutput.format(seconds)) s "
            + "(\(PeerEventOutput.format(Double(total) / seconds / 1e6)) MB/s each way)")
    }

    /// One echo round: `--streams` streams at once, each checked byte for byte; the text names
    /// the path when `showingPath` (a relayed connection, which may upgrade).
    private func echo(_ payload: EchoPayload, on connection: Connection, showingPath: Bool, output: PeerEventOutput) async throws {
        let path = connection.path.isRelayed ? "relayed" : "direct"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<streams {
                let stream = try await connection.openStream(label: "chat")
                group.addTask {
                    async let echoed: Void = payload.verifyEcho(on: stream)
                    try await payload.send(on: stream)
                    try await echoed
                    var event = PeerEvent("echo")
                    event.stream = stream.id
                    event.bytes = payload.count
                    event.path = path
                    output.emit(event, text: payload.echoDescription(stream: stream.id) + (showingPath ? " (\(path))" : ""))
                }
            }
            try await group.waitForAll()
        }
    }
}

/// What `dial` sends on each stream and how it checks the echo without holding it all.
enum EchoPayload: Sendable {
    case text(String)
    /// Byte `i` is `i % 251`: cheap to produce and check in blocks, and no power-of-two period
    /// that would hide a misplaced chunk.
    case deterministic(count: Int)

    private static let period = 251
    /// Written in blocks of about 1 MiB (a whole number of periods).
    private static let block: [UInt8] = (0..<(4177 * period)).map { UInt8($0 % period) }

    var count: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .deterministic(let count): count
        }
    }

    func send(on stream: SNaP2PStream) async throws {
        switch self {
        case .text(let text):
            try await stream.write(Array(text.utf8))
        case .deterministic(let count):
            var remaining = count
            while remaining > 0 {
                let length = min(remaining, Self.block.count)
                try await stream.write(length == Self.block.count ? Self.block : Array(Self.block[..<length]))
                remaining -= length
            }
        }
        try await stream.finish()
    }

    /// Reads exactly as many bytes as were sent, checking them as they arrive, and throws unless
    /// they are what was sent. It does not wait for the remote's fin: the reference's echo server
    /// never half-closes its side of a stream.
    func verifyEcho(on stream: SNaP2PStream) async throws {
        var inbound = stream.inbound.makeAsyncIterator()
        var offset = 0
        while offset < count {
            guard let chunk = try await inbound.next(),
                  offset + chunk.count <= count,
                  matches(chunk[...], at: offset)
            else { throw EchoMismatch(stream: stream.id, offset: offset) }
            offset += chunk.count
        }
    }

    /// Whether `chunk` equals the payload's bytes from `offset` on.
    private func matches(_ chunk: ArraySlice<UInt8>, at offset: Int) -> Bool {
        switch self {
        case .text(let text):
            let expected = Array(text.utf8)
            return Self.equal(chunk, expected[offset..<(offset + chunk.count)])
        case .deterministic:
            var checked = 0
            while checked < chunk.count {
                let phase = (offset + checked) % Self.period
                let length = min(chunk.count - checked, Self.block.count - phase)
                let start = chunk.startIndex + checked
                guard Self.equal(chunk[start..<(start + length)], Self.block[phase..<(phase + length)]) else { return false }
                checked += length
            }
            return true
        }
    }

    private static func equal(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }

    func echoDescription(stream: UInt64) -> String {
        switch self {
        case .text(let text): "Echo on stream \(stream): \(text)"
        case .deterministic(let count): "Echo on stream \(stream): \(count) bytes verified"
        }
    }
}

/// The echo differed from what was sent.
struct EchoMismatch: Error, CustomStringConvertible {
    let stream: UInt64
    let offset: Int

    var description: String { "the echo on stream \(stream) differs from what was sent at byte \(offset)" }
}
