import Testing
import SNaP2P

/// obs1 between two Swift peers over 127.0.0.1: each side learns the address the other sees.
@Suite struct ObservedAddressSessionTests {
    @Test func eachSideLearnsHowThePeerSeesIt() async throws {
        let pair = try await ConnectedPair.make()
        let dialerLocal = try #require(pair.dialer.localAddress)
        #expect(dialerLocal.hasPrefix("127.0.0.1:"))
        #expect(pair.dialer.observedLocalAddress == dialerLocal)
        #expect(pair.accepted.remoteAddress == dialerLocal)
        #expect(pair.accepted.observedLocalAddress == "127.0.0.1:\(pair.listener.port)")
        await pair.close()
    }
}
