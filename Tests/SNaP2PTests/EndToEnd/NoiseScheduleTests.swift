import SNaP2P
import Testing
import TestSupport

/// The Noise schedule negotiation over real sockets on 127.0.0.1: what each policy ends on, typed
/// refusals instead of timeouts, and a relay that strips or alters the dialer's offer.
@Suite struct NoiseScheduleTests {
    @Test(arguments: [
        (NoiseSchedulePolicy.preferStandard, NoiseSchedulePolicy.preferStandard, NoiseKeySchedule.standard),
        (.requireStandard, .preferStandard, .standard),
        (.preferStandard, .referenceOnly, .reference),
        (.referenceOnly, .preferStandard, .reference),
    ])
    func sessionsRunOnTheNegotiatedSchedule(
        dialerPolicy: NoiseSchedulePolicy, listenerPolicy: NoiseSchedulePolicy, expected: NoiseKeySchedule
    ) async throws {
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(noisePolicy: listenerPolicy))
        async let acceptedConnection = TestPeers.accept(listener)
        let dialed = try await Peer(configuration: TestPeers.configuration(noisePolicy: dialerPolicy)).dial("127.0.0.1:\(listener.port)")
        let accepted = try await acceptedConnection
        #expect(dialed.noiseSchedule == expected)
        #expect(accepted.noiseSchedule == expected)

        // The transport keys agree: a stream round-trips.
        let stream = try await dialed.openStream(label: "check")
        try await stream.write(Array("over \(expected) Noise".utf8))
        try await stream.finish()
        var incoming = accepted.incomingStreams.makeAsyncIterator()
        let served = try #require(await incoming.next())
        var received: [UInt8] = []
        for try await chunk in served.inbound { received += chunk }
        #expect(received == Array("over \(expected) Noise".utf8))
        await dialed.close()
        await listener.close()
    }

    @Test(arguments: [
        (NoiseSchedulePolicy.requireStandard, NoiseSchedulePolicy.referenceOnly),
        (.referenceOnly, .requireStandard),
    ])
    func requiringStandardNoiseRefusesAReferencePeerWithATypedError(
        dialerPolicy: NoiseSchedulePolicy, listenerPolicy: NoiseSchedulePolicy
    ) async throws {
        let (_, listener) = try await TestPeers.listener(TestPeers.configuration(noisePolicy: listenerPolicy))
        var failures = listener.failedHandshakes.makeAsyncIterator()
        // A handshake timeout that never fires first: the refusal, not a timeout, must end the dial.
        let dialer = Peer(configuration: TestPeers.configuration(handshakeTimeout: .seconds(600), noisePolicy: dialerPolicy))
        let error = await #expect(throws: SNaP2PError.self) { try await dialer.dial("127.0.0.1:\(listener.port)") }
        guard case .handshakeFailed(.versionUnsupported, _)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        let failure = try #require(await failures.next())
        #expect(failure.error.code == .versionUnsupported, "\(failure.error)")
        #expect(failure.remoteAddress?.hasPrefix("127.0.0.1:") == true)
        await listener.close()
    }

    /// Rewrites of the dialer's first frame (Noise message 1: `e` and the offer).
    static let alterations: [(name: String, rewrite: @Sendable ([UInt8]) -> [UInt8])] = [
        ("stripped", { Array($0.prefix(32)) }),
        ("renamed", { $0.prefix(32) + [UInt8](hex: "a1656e6f697365816473746439") }),
        ("one bit flipped", { $0.prefix($0.count - 1) + [$0[$0.count - 1] ^ 0x01] }),
    ]

    @Test(arguments: 0..<3)
    func aRelayThatAltersTheOfferFailsTheHandshakeOnBothSides(alteration: Int) async throws {
        let (name, rewrite) = Self.alterations[alteration]
        let (_, listener) = try await TestPeers.listener()
        var failures = listener.failedHandshakes.makeAsyncIterator()
        let proxy = try await TamperingProxy.start(targetPort: listener.port, mode: .rewriteDialerFrame(number: 1, rewrite: rewrite))
        let dialer = Peer(configuration: TestPeers.configuration())
        let error = await #expect(throws: SNaP2PError.self, "\(name)") { try await dialer.dial("127.0.0.1:\(proxy.port)") }
        guard case .handshakeFailed(.handshakeFailed, _)? = error else {
            Issue.record("\(name): \(String(describing: error))")
            return
        }
        let failure = try #require(await failures.next())
        #expect(failure.error == .handshakeFailed(code: .handshakeFailed, reason: "Noise message 2 failed to authenticate"), "\(name)")

        // The same relay, faithful, still carries a session on the standard schedule.
        proxy.set(.relay)
        async let acceptedConnection = TestPeers.accept(listener)
        let dialed = try await dialer.dial("127.0.0.1:\(proxy.port)")
        #expect(dialed.noiseSchedule == .standard)
        #expect(try await acceptedConnection.noiseSchedule == .standard)
        await dialed.close()
        await proxy.close()
        await listener.close()
    }
}
