import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PNoise
@testable import SNaP2PSession

/// Two machines with fresh identities against each other: success, refusals with their codes, tampering.
@Suite struct HandshakeStateMachineTests {
    @Test func freshPeersEstablishTheSameSession() async throws {
        let alice = try await TestPeer.make()
        let bob = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: alice.configuration(.initiator)),
            listener: HandshakeStateMachine(configuration: bob.configuration(.responder))
        )
        let dialer = try #require(run.dialer.session)
        let listener = try #require(run.listener.session)
        #expect(dialer.sessionID == listener.sessionID)
        #expect(dialer.sessionID.count == 32)
        #expect(dialer.handshakeHash == listener.handshakeHash)
        #expect(dialer.remotePrincipal == bob.wallet.principal)
        #expect(listener.remotePrincipal == alice.wallet.principal)
        #expect(dialer.localPrincipal == alice.wallet.principal)
        #expect(dialer.remoteHello.capabilities == ["fc1", "alias1", "px1", "relay1", "obs1", "upgrade1"])
        #expect(listener.remoteHello.nodePublicKey == alice.nodeKey.publicKey)
        #expect(dialer.remoteAttestation == bob.attestation)
        #expect(run.frames.count == 9)
        #expect(dialer.bufferedBytes.isEmpty)

        // The handed-over ciphers continue in step.
        var dialerCipher = dialer.cipher
        var listenerCipher = listener.cipher
        var frame: [UInt8] = []
        try dialerCipher.seal(.ping(seq: 0, timestamp: TestPeer.now), appendingTo: &frame)
        #expect(try listenerCipher.open(frame) == .ping(seq: 0, timestamp: TestPeer.now))
    }

    // MARK: Attestation refusals: the listener refuses the dialer

    @Test func expiredAttestationIsRefusedWithCode7() async throws {
        let dialer = try await TestPeer.make(issuedAt: TestPeer.now - 2 * 86_400, validity: 86_400)
        let run = try await runAgainstFreshListener(dialer: dialer.configuration(.initiator))
        #expect(run.listener.error?.code == .attestationExpired)
        #expect(run.dialer.error?.code == .attestationExpired)
        guard case .attestationRejected(.expired) = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
        guard case .refusedByPeer = run.dialer.error?.reason else {
            Issue.record("dialer: \(String(describing: run.dialer.error))")
            return
        }
        #expect(run.dialer.error?.remoteReason?.contains("expired") == true)
    }

    @Test func notYetValidAttestationIsRefusedWithCode6() async throws {
        let dialer = try await TestPeer.make(issuedAt: TestPeer.now + 301)
        let run = try await runAgainstFreshListener(dialer: dialer.configuration(.initiator))
        #expect(run.listener.error?.code == .attestationInvalid)
        #expect(run.dialer.error?.code == .attestationInvalid)
        guard case .attestationRejected(.notYetValid) = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
    }

    @Test func attestationWithinTheClockSkewIsAccepted() async throws {
        let dialer = try await TestPeer.make(issuedAt: TestPeer.now + 300)
        let run = try await runAgainstFreshListener(dialer: dialer.configuration(.initiator))
        #expect(run.dialer.session != nil && run.listener.session != nil)
    }

    @Test func wrongNetworkIsRefused() async throws {
        let dialer = try await TestPeer.make(network: .testnet)
        let run = try await runAgainstFreshListener(dialer: dialer.configuration(.initiator, network: .testnet))
        #expect(run.listener.error?.code == .attestationInvalid)
        #expect(run.dialer.error?.code == .attestationInvalid)
        guard case .attestationRejected(.wrongNetwork) = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
    }

    @Test func swappedPrincipalFailsTheSignature() async throws {
        let dialer = try await TestPeer.make()
        let other = LocalWallet.ephemeral(network: .mainnet)
        guard case .map(var fields) = try CBOR.decode(dialer.attestation.serialized()) else {
            Issue.record("attestation is not a map")
            return
        }
        fields["p"] = .text(other.principal.description)
        let forged = try NodeKeyAttestation(serialized: CBOR.map(fields).encoded())
        let run = try await runAgainstFreshListener(dialer: dialer.configuration(.initiator, attestation: forged))
        #expect(run.listener.error?.code == .attestationInvalid)
        guard case .attestationRejected(.badSignature) = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
    }

    @Test func attestationOfAnotherNodeKeyFailsTheBinding() async throws {
        // A genuine attestation, replayed by a node with another Noise static key.
        let victim = try await TestPeer.make()
        let attacker = try await TestPeer.make()
        let run = try await runAgainstFreshListener(
            dialer: attacker.configuration(.initiator, attestation: victim.attestation)
        )
        #expect(run.listener.error?.code == .attestationInvalid)
        #expect(run.dialer.error?.code == .attestationInvalid)
        guard case .nodeKeyBindingMismatch = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
    }

    // MARK: The dialer refuses the listener

    @Test func dialerRefusesAnExpiredListener() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make(issuedAt: TestPeer.now - 3 * 86_400, validity: 86_400)
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder))
        )
        #expect(run.dialer.error?.code == .attestationExpired)
        #expect(run.listener.error?.code == .attestationExpired)
        guard case .refusedByPeer = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
    }

    @Test func dialerPolicyCanPinTheListener() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let pinned = AllowlistPolicy([LocalWallet.ephemeral(network: .mainnet).principal])
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator, policy: pinned)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder))
        )
        #expect(run.dialer.error?.code == .notAllowed)
        #expect(run.listener.error?.code == .notAllowed)
    }

    // MARK: Authorization

    @Test func allowlistRejectionReachesTheDialerAsNotAllowed() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let policy = AllowlistPolicy([listener.wallet.principal])
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder, visibility: .private, policy: policy))
        )
        let dialerError = try #require(run.dialer.error)
        #expect(dialerError.code == .notAllowed)
        #expect(dialerError.code.description == "NOT_ALLOWED")
        #expect(dialerError.remoteReason == "Not on allowlist")
        guard case .notAuthorized(let principal) = run.listener.error?.reason else {
            Issue.record("listener: \(String(describing: run.listener.error))")
            return
        }
        #expect(principal == dialer.wallet.principal)
        // The refusal went out encrypted, after the two HELLOs: the listener never sent its AUTH.
        #expect(run.frames.filter { !$0.fromDialer }.count == 3)
    }

    @Test func allowlistAdmitsItsPrincipals() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let run = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
            listener: HandshakeStateMachine(
                configuration: listener.configuration(.responder, policy: AllowlistPolicy([dialer.wallet.principal]))
            )
        )
        #expect(run.listener.session?.remotePrincipal == dialer.wallet.principal)
        #expect(run.dialer.session != nil)
    }

    // MARK: HELLO

    @Test func helloOutsideTheClockSkewIsRefused() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let configurations = (dialer.configuration(.initiator), listener.configuration(.responder))
        let late = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: configurations.0),
            listener: HandshakeStateMachine(configuration: configurations.1),
            listenerNow: TestPeer.now + 301
        )
        #expect(late.listener.error?.code == .invalidMessage)
        #expect(late.dialer.error?.code == .invalidMessage)
        guard case .invalidHello = late.listener.error?.reason else {
            Issue.record("listener: \(String(describing: late.listener.error))")
            return
        }
        let edge = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: configurations.0),
            listener: HandshakeStateMachine(configuration: configurations.1),
            listenerNow: TestPeer.now + 300
        )
        #expect(edge.listener.session != nil && edge.dialer.session != nil)
    }

    // MARK: Tampering and closes

    @Test func everyTamperedHandshakeFrameIsCaught() async throws {
        let dialer = try await TestPeer.make()
        let listener = try await TestPeer.make()
        let clean = HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder))
        )
        for index in clean.frames.indices {
            let run = HandshakeRun(
                dialer: HandshakeStateMachine(configuration: dialer.configuration(.initiator)),
                listener: HandshakeStateMachine(configuration: listener.configuration(.responder)),
                tamper: { frameIndex, body in
                    guard frameIndex == index else { return body }
                    var body = body
                    body[body.count / 2] ^= 0x04
                    return body
                }
            )
            #expect(run.listener.session == nil, "frame \(index)")
            let lastFrame = index == clean.frames.count - 1
            #expect((run.dialer.session == nil) != lastFrame, "frame \(index)")
            let receiver = clean.frames[index].fromDialer ? run.listener : run.dialer
            if index > 0 {
                // Message 1 is unauthenticated; from message 2 on the receiver itself catches the change.
                #expect(receiver.error?.code == .handshakeFailed, "frame \(index): \(String(describing: receiver.error))")
            }
        }
    }

    @Test func dialerReportsABareClose() async throws {
        let dialerPeer = try await TestPeer.make()
        let listenerPeer = try await TestPeer.make()
        var dialer = HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator))
        var listener = HandshakeStateMachine(configuration: listenerPeer.configuration(.responder))
        _ = listener.start(now: TestPeer.now)
        let message1 = dialer.start(now: TestPeer.now).sentFrames
        let message2 = listener.receive(frame: message1[0], now: TestPeer.now).sentFrames
        let message3AndHello = dialer.receive(frame: message2[0], now: TestPeer.now).sentFrames
        #expect(message3AndHello.count == 2)
        #expect(!dialer.isFinished)
        let error = dialer.connectionClosed()
        #expect(error.code == .connectionClosed)
        guard case .closedByPeer = error.reason else {
            Issue.record("\(error)")
            return
        }
        #expect(dialer.isFinished)
        #expect(dialer.receive(frame: [1, 2, 3], now: TestPeer.now).closeError != nil)
    }

    @Test func forgedAuthOKIsRefusedByTheListener() async throws {
        let dialerPeer = try await TestPeer.make()
        let listenerPeer = try await TestPeer.make()
        for forgery in ["session id", "principal"] {
            var dialer = HandshakeStateMachine(configuration: dialerPeer.configuration(.initiator))
            var listener = HandshakeStateMachine(configuration: listenerPeer.configuration(.responder))
            _ = listener.start(now: TestPeer.now)
            var toListener = dialer.start(now: TestPeer.now).sentFrames
            var dialerSession: EstablishedSession?
            // Pump until the dialer is established, holding back its final AUTH_OK.
            while dialerSession == nil {
                var toDialer: [[UInt8]] = []
                for frame in toListener { toDialer += listener.receive(frame: frame, now: TestPeer.now).sentFrames }
                toListener = []
                for frame in toDialer {
                    let actions = dialer.receive(frame: frame, now: TestPeer.now)
                    toListener += actions.sentFrames
                    dialerSession = actions.established ?? dialerSession
                }
            }
            // Re-seal a different AUTH_OK at the nonce of the held-back one.
            var cipher = try #require(dialerSession).cipher
            cipher.ciphers.sender.nonce -= 1
            var forged: [UInt8] = []
            let sessionID = forgery == "session id" ? [UInt8](repeating: 7, count: 32) : dialerSession!.sessionID
            let principal = forgery == "principal" ? listenerPeer.wallet.principal : dialerPeer.wallet.principal
            try cipher.seal(.authOK(principal: principal.description, sessionID: sessionID), appendingTo: &forged)
            let actions = listener.receive(frame: forged, now: TestPeer.now)
            #expect(actions.established == nil)
            #expect(actions.closeError?.code == .authFailed, "\(forgery)")
            #expect(actions.sentFrames.count == 1, "an encrypted AUTH_FAIL")
            if forgery == "principal" {
                guard case .principalMismatch(let attested, let named)? = actions.closeError?.reason else {
                    Issue.record("\(String(describing: actions.closeError))")
                    continue
                }
                #expect(attested == dialerPeer.wallet.principal)
                #expect(named == listenerPeer.wallet.principal)
                // The words the application gets (and the CLI shows) name both.
                #expect(actions.closeError?.reason.description
                    == "principal mismatch: the attestation proves \(attested) but AUTH_OK names \(named)")
            }
        }
    }

    @Test func oversizedFrameBeforeAuthenticationClosesAtOnce() async throws {
        let listenerPeer = try await TestPeer.make()
        var listener = HandshakeStateMachine(configuration: listenerPeer.configuration(.responder))
        _ = listener.start(now: TestPeer.now)
        let actions = listener.receive(bytes: Varint.encoded(UInt64(FramingLimits.unauthenticatedFrameLength + 1)), now: TestPeer.now)
        #expect(actions.sentFrames.isEmpty)
        #expect(actions.closeError?.code == .messageTooLarge)
        #expect(listener.isFinished)
    }

    @Test func garbageInsteadOfNoiseClosesWithoutReply() async throws {
        let listenerPeer = try await TestPeer.make()
        var listener = HandshakeStateMachine(configuration: listenerPeer.configuration(.responder))
        _ = listener.start(now: TestPeer.now)
        let actions = listener.receive(frame: [UInt8](repeating: 0, count: 31), now: TestPeer.now)
        #expect(actions.sentFrames.isEmpty)
        #expect(actions.closeError?.code == .handshakeFailed)
    }

    /// Runs `dialer` against a listener with a fresh, valid identity and the default policy.
    private func runAgainstFreshListener(dialer: HandshakeConfiguration) async throws -> HandshakeRun {
        let listener = try await TestPeer.make()
        return HandshakeRun(
            dialer: HandshakeStateMachine(configuration: dialer),
            listener: HandshakeStateMachine(configuration: listener.configuration(.responder))
        )
    }
}
