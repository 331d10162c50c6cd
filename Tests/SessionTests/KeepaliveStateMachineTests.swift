import Testing

@testable import SNaP2PSession

/// PING at start and every interval, PONG with the same seq, timeout 10 s after an unanswered PING.
@Suite struct KeepaliveStateMachineTests {
    @Test func pingsAtStartAndEveryInterval() {
        var keepalive = KeepaliveStateMachine()
        #expect(keepalive.nextDeadline == nil)
        #expect(keepalive.tick(now: 1000) == [])
        #expect(keepalive.start(now: 1000) == [.sendPing(seq: 0, timestamp: 1000)])
        #expect(keepalive.start(now: 1000) == [])
        #expect(keepalive.nextDeadline == 1011)
        #expect(keepalive.receivedPong(seq: 0, now: 1001) == 1)
        #expect(keepalive.nextDeadline == 1030)
        #expect(keepalive.tick(now: 1029) == [])
        #expect(keepalive.tick(now: 1030) == [.sendPing(seq: 1, timestamp: 1030)])
        #expect(keepalive.receivedPong(seq: 1, now: 1030) == 0)
        #expect(keepalive.tick(now: 1060) == [.sendPing(seq: 2, timestamp: 1060)])
    }

    @Test func answersPingWithTheSameSequence() {
        let keepalive = KeepaliveStateMachine()
        #expect(keepalive.receivedPing(seq: 41, now: 7) == .sendPong(seq: 41, timestamp: 7))
    }

    @Test func unansweredPingTimesOutAfterTenSeconds() {
        var keepalive = KeepaliveStateMachine()
        _ = keepalive.start(now: 500)
        #expect(keepalive.tick(now: 510) == [])
        #expect(keepalive.tick(now: 511) == [.timedOut(seq: 0)])
        #expect(keepalive.nextDeadline == nil)
        #expect(keepalive.tick(now: 600) == [])
    }

    @Test func strayPongDoesNotClearTheOutstandingPing() {
        var keepalive = KeepaliveStateMachine()
        _ = keepalive.start(now: 0)
        #expect(keepalive.receivedPong(seq: 9, now: 1) == nil)
        #expect(keepalive.tick(now: 11) == [.timedOut(seq: 0)])
    }

    @Test func laterPingTimesOutOnItsOwn() {
        var keepalive = KeepaliveStateMachine()
        _ = keepalive.start(now: 0)
        _ = keepalive.receivedPong(seq: 0, now: 0)
        #expect(keepalive.tick(now: 30) == [.sendPing(seq: 1, timestamp: 30)])
        #expect(keepalive.tick(now: 40) == [])
        #expect(keepalive.tick(now: 41) == [.timedOut(seq: 1)])
    }

    @Test func intervalsAreConfigurable() {
        var keepalive = KeepaliveStateMachine(configuration: .init(interval: 5, timeout: 2))
        _ = keepalive.start(now: 100)
        _ = keepalive.receivedPong(seq: 0, now: 101)
        #expect(keepalive.nextDeadline == 105)
        #expect(keepalive.tick(now: 105) == [.sendPing(seq: 1, timestamp: 105)])
        #expect(keepalive.tick(now: 108) == [.timedOut(seq: 1)])
    }
}
