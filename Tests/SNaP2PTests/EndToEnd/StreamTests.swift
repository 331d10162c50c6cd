import TestSupport
import Testing
import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire
import SNaP2PNoise

/// Two connected peers for stream tests.
struct ConnectedPair {
    let listener: Listener
    let dialer: Connection
    let accepted: Connection

    static func make(
        dialerConfiguration: PeerConfiguration = TestPeers.configuration(),
        listenerConfiguration: PeerConfiguration = TestPeers.configuration()
    ) async throws -> ConnectedPair {
        let (_, listener) = try await TestPeers.listener(listenerConfiguration)
        async let accepted = TestPeers.accept(listener)
        let dialer = try await Peer(configuration: dialerConfiguration).dial("127.0.0.1:\(listener.port)")
        return ConnectedPair(listener: listener, dialer: dialer, accepted: try await accepted)
    }

    func close() async {
        await dialer.close()
        await accepted.close()
        await listener.close()
    }
}

/// Echoes every incoming stream of `connection` until it ends: bytes back, fin answered with fin.
func serveEcho(_ connection: Connection) async {
    await withDiscardingTaskGroup { group in
        for await stream in connection.incomingStreams {
            group.addTask {
                do {
                    for try await chunk in stream.inbound { try await stream.write(chunk) }
                    try await stream.finish()
                } catch {}
            }
        }
    }
}

@Suite struct StreamTests {
    @Test func echoesAShortMessage() async throws {
        let pair = try await ConnectedPair.make()
        let server = Task { await serveEcho(pair.accepted) }
        let stream = try await pair.dialer.openStream(label: "chat")
        #expect(stream.id == 0)
        #expect(stream.label == "chat")
        try await stream.write(Array("Hello from SNaP2P!".utf8))
        try await stream.finish()
        let echoed = try await stream.inbound.collect(upTo: 1 << 20)
        #expect(String(decoding: echoed, as: UTF8.self) == "Hello from SNaP2P!")
        await pair.close()
        await server.value
    }
}

import Crypto

/// The data one side sends on one stream in the many-streams test: size and bytes from the seed.
private func payload(seed: UInt64) -> [UInt8] {
    var generator = SeededRandom(seed: seed)
    let size = Int.random(in: 0...(4 << 20), using: &generator)
    return generator.bytes(count: size)
}

/// Writes `bytes` in writes of varying sizes, then finishes.
private func send(_ bytes: [UInt8], on stream: SNaP2PStream, seed: UInt64) async throws {
    var generator = SeededRandom(seed: seed ^ 0xFFFF)
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + Int.random(in: 1...(300 << 10), using: &generator))
        try await stream.write(Array(bytes[offset..<end]))
        offset = end
    }
    try await stream.finish()
}

/// Reads a stream to its end and returns the SHA-256 of everything received.
private func digest(of stream: SNaP2PStream) async throws -> [UInt8] {
    var hash = SHA256()
    for try await chunk in stream.inbound { hash.update(data: chunk) }
    return Array(hash.finalize())
}

private func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

extension StreamTests {
    @Test func fiftyConcurrentStreamsBothWaysArriveIntact() async throws {
        let pair = try await ConnectedPair.make()
        // The listener checks what each stream brought and sends its own payload back at the same time.
        let server = Task {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                var count = 0
                for await stream in pair.accepted.incomingStreams {
                    group.addTask {
                        async let received = digest(of: stream)
                        try await send(payload(seed: stream.id + 1000), on: stream, seed: stream.id + 1000)
                        return try await received == sha256(payload(seed: stream.id))
                    }
                    count += 1
                    if count == 50 { break }
                }
                var intact = 0
                for try await ok in group where ok { intact += 1 }
                return intact
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                let stream = try await pair.dialer.openStream(label: "bulk")
                group.addTask {
                    async let received = digest(of: stream)
                    try await send(payload(seed: stream.id), on: stream, seed: stream.id)
                    let expected = sha256(payload(seed: stream.id + 1000))
                    #expect(try await received == expected, "stream \(stream.id)")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await server.value == 50)
        await pair.close()
    }

    @Test func halfCloseLetsTheOtherSideKeepWriting() async throws {
        let pair = try await ConnectedPair.make()
        let server = Task {
            var iterator = pair.accepted.incomingStreams.makeAsyncIterator()
            let stream = try #require(await iterator.next())
            // Read the whole request (until the dialer's fin), then answer and finish.
            let request = try await stream.inbound.collect(upTo: 1 << 20)
            try await stream.write(Array("got \(request.count) bytes".utf8))
            try await stream.write(Array(", bye".utf8))
            try await stream.finish()
        }
        let stream = try await pair.dialer.openStream()
        try await stream.write([UInt8](repeating: 7, count: 1000))
        try await stream.finish()
        await #expect(throws: SNaP2PError.streamClosed(code: .streamClosed)) { try await stream.write([1]) }
        let answer = try await stream.inbound.collect(upTo: 1 << 20)
        #expect(String(decoding: answer, as: UTF8.self) == "got 1000 bytes, bye")
        try await server.value
        await pair.close()
    }

    @Test func closeWithACodeReachesTheRemoteAsAnError() async throws {
        let pair = try await ConnectedPair.make()
        let stream = try await pair.dialer.openStream()
        try await stream.write([1, 2, 3])
        var incoming = pair.accepted.incomingStreams.makeAsyncIterator()
        let remote = try #require(await incoming.next())
        var inbound = remote.inbound.makeAsyncIterator()
        #expect(try await inbound.next() == [1, 2, 3])
        stream.close(error: .invalidMessage)
        await #expect(throws: SNaP2PError.streamClosed(code: .invalidMessage)) { _ = try await inbound.next() }
        // The remote side can no longer write either.
        await #expect(throws: SNaP2PError.streamClosed(code: .invalidMessage)) { try await remote.write([9]) }
        await pair.close()
    }

    @Test func streamsOverTheRemoteLimitAreRefused() async throws {
        let pair = try await ConnectedPair.make(listenerConfiguration: TestPeers.configuration(maximumStreams: 2))
        let first = try await pair.dialer.openStream()
        let second = try await pair.dialer.openStream()
        let third = try await pair.dialer.openStream()
        await #expect(throws: SNaP2PError.streamRefused(code: .streamRefused)) {
            _ = try await third.inbound.collect(upTo: 1)
        }
        // The two within the limit work.
        let server = Task { await serveEcho(pair.accepted) }
        for stream in [first, second] {
            try await stream.write([42])
            try await stream.finish()
            #expect(try await stream.inbound.collect(upTo: 16) == [42])
        }
        await pair.close()
        await server.value
    }

    @Test func openingOverTheLocalLimitThrows() async throws {
        let pair = try await ConnectedPair.make(dialerConfiguration: TestPeers.configuration(maximumStreams: 1))
        let first = try await pair.dialer.openStream()
        await #expect(throws: SNaP2PError.streamRefused(code: .streamRefused)) { _ = try await pair.dialer.openStream() }
        first.close()
        await pair.close()
    }

    @Test func aSingle64MiBWriteArrivesIntact() async throws {
        let pair = try await ConnectedPair.make()
        var generator = SeededRandom(seed: 64)
        let big = generator.bytes(count: 64 << 20)
        let receiver = Task {
            var iterator = pair.accepted.incomingStreams.makeAsyncIterator()
            let stream = try #require(await iterator.next())
            return try await digest(of: stream)
        }
        let stream = try await pair.dialer.openStream()
        try await stream.write(big)
        try await stream.finish()
        #expect(try await receiver.value == sha256(big))
        await pair.close()
    }
}
