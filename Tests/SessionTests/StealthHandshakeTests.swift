import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PSession

/// Stealth listeners (PROTOCOL.md §7): KNOCK with an invite token before any Noise.
@Suite struct StealthHandshakeTests {
    struct Verdict: InviteTokenVerifier {
        let accepts: Bool
        func redeem(inviteToken token: [UInt8]) -> Bool { accepts }
    }

    @Test func validTokenOpensTheDoor() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let store = InviteTokenStore()
        let token = store.issue()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, inviteToken: token)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder, visibility: .stealth, verifier: store))
        )
        #expect(try ControlMessage.decode(run.frames[0].body) == .knock(token: token))
        #expect(try ControlMessage.decode(run.frames[1].body) == .knockResponse(accepted: true))
        #expect(run.frames.count == 11)
        #expect(run.dialer.session?.remoteHello.visibility == .stealth)
        #expect(run.listener.session?.remotePrincipal == dialer.wallet.principal)
    }

    @Test func singleUseTokenAdmitsOnce() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let store = InviteTokenStore()
        let token = store.issue(uses: .single)
        var outcomes: [ProtocolErrorCode?] = []
        for _ in 0..<2 {
            let run = HandshakeRun(
                dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, inviteToken: token)),
                listener: HandshakeStateMachine(configuration: listener.configuration(.responder, visibility: .stealth, verifier: store))
            )
            outcomes.append(run.dialer.session != nil ? .ok : run.dialer.error?.code)
        }
        #expect(outcomes == [.ok, .invalidToken])
    }

    @Test func invalidTokenGetsPlaintextAuthFail5() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, inviteToken: [UInt8](repeating: 9, count: 32))),
            listener: HandshakeStateMachine(
                configuration: listener.configuration(.responder, visibility: .stealth, verifier: Verdict(accepts: false))
            )
        )
        #expect(run.frames.count == 2)
        #expect(try ControlMessage.decode(run.frames[1].body) == .authFail(code: .invalidToken, reason: "Invalid or expired invite token"))
        #expect(run.listener.error?.code == .invalidToken)
        let dialerError = try #require(run.dialer.error)
        #expect(dialerError.code == .invalidToken)
        guard case .refusedByPeer = dialerError.reason else {
            Issue.record("\(dialerError)")
            return
        }
    }

    @Test func stealthWithoutVerifierRefusesEveryToken() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, inviteToken: [UInt8](repeating: 1, count: 16))),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder, visibility: .stealth))
        )
        #expect(run.listener.error?.code == .invalidToken)
    }

    @Test func missingTokenGetsSilence() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
            listener: HandshakeStateMachine(
                configuration: listener.configuration(.responder, visibility: .stealth, verifier: Verdict(accepts: true))
            )
        )
        // Only the dialer's Noise message 1 crossed the wire; the listener never answered.
        #expect(run.frames.count == 1)
        #expect(run.frames[0].fromDialer)
        guard case .notKnocked = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
        #expect(run.dialer.error?.code == .connectionClosed)
    }

    @Test func otherControlMessageFirstGetsAuthFail18() async throws {
        let listenerPeer = try await TestPeer.make()
        var listener = HandshakeStateMachine(
            configuration: listenerPeer.configuration(.responder, visibility: .stealth, verifier: Verdict(accepts: true))
        )
        #expect(listener.start(now: TestPeer.now).isEmpty)
        let actions = listener.receive(frame: ControlMessage.ping(seq: 0, timestamp: TestPeer.now).encoded(), now: TestPeer.now)
        #expect(actions.sentFrames.count == 1)
        #expect(
            try ControlMessage.decode(actions.sentFrames[0])
                == .authFail(code: .inviteRequired, reason: "Invite token required for stealth mode")
        )
        #expect(actions.closeError?.code == .inviteRequired)
        #expect(listener.isFinished)
    }

    @Test func dialerWithoutTokenReportsAPlaintextRefusal() async throws {
        let dialerPeer = try await TestPeer.make()
        var dialer = HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator))
        // Noise message 1: the ephemeral key and the schedule offer.
        #expect(dialer.start(now: TestPeer.now).sentFrames.first?.count == 32 + NoiseScheduleOffer(schedules: [.standard]).encoded().count)
        let refusal = ControlMessage.authFail(code: .inviteRequired, reason: "Invite token required for stealth mode")
        let actions = dialer.receive(frame: refusal.encoded(), now: TestPeer.now)
        let error = try #require(actions.closeError)
        #expect(error.code == .inviteRequired)
        #expect(error.remoteReason == "Invite token required for stealth mode")
    }

    @Test func dialerRefusesAKnockResponseThatSaysNo() async throws {
        let dialerPeer = try await TestPeer.make()
        var dialer = HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator, inviteToken: [UInt8](repeating: 3, count: 20)))
        #expect(dialer.start(now: TestPeer.now).sentFrames == [ControlMessage.knock(token: [UInt8](repeating: 3, count: 20)).encoded()])
        let actions = dialer.receive(frame: ControlMessage.knockResponse(accepted: false).encoded(), now: TestPeer.now)
        #expect(actions.sentFrames.isEmpty)
        #expect(actions.closeError?.code == .invalidToken)
    }
}
