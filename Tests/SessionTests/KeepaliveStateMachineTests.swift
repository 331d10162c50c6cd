import Testing

@testable import SNaP2PSession

@Suite struct KeepaliveStateMachineTests {
    @Test func pingsAtStartAndEveryInterval() {
        var keepalive = KeepaliveStateMachine()
        #expect(keepalive.nextDeadline == nil)
        #expect(keepalive.start(now: 1000) == [.sendPing(seq: 0, timestamp: 1000)])
        #expect(keepalive.start(now: 1000) == [])
        #expect(keepalive.receivedPong(seq: 0, now: 1001) == 1)
        #expect(keepalive.nextDeadline == 1030)
        #expect(keepalive.tick(now: 1029) == [])
        #expect(keepalive.tick(now: 1030) == [.sendPing(seq: 1, timestamp: 1030)])
        #expect(keepalive.receivedPong(seq: 1, now: 1030) == 0)
        #expect(keepalive.tick(now: 1060) == [.sendPing(seq: 2, timestamp: 1060)])
    }
}
