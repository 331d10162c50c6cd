import SNaP2P
import Testing

@testable import snap2p

/// How library errors are explained to people; only what process tests cannot provoke on 127.0.0.1.
@Suite struct CommandFailureTests {
    /// A listener whose AUTH_OK names another principal than its attestation proved (the words are
    /// the session's, see SessionStateMachineTests): named as a mismatch, not blamed on clocks.
    @Test func aForgedAuthOKPrincipalIsExplainedAsAMismatch() {
        let attested = "stacks:ST2D2TNE4QPSMKSYS4FNKW1Q1C56CMQHN08Q0VHSJ"
        let named = "stacks:ST1NKFTWANA1T6K57854D32AZJ6MYAZC7Z8F305D8"
        let reason = "principal mismatch: the attestation proves \(attested) but AUTH_OK names \(named)"
        let failure = CommandFailure.dialing(
            SNaP2PError.handshakeFailed(code: .authFailed, reason: reason), address: "127.0.0.1:9000",
            localPrincipal: LocalWallet.ephemeral(network: .testnet).principal, usedToken: false)
        #expect(failure.message == "127.0.0.1:9000 did not prove who it claims to be (AUTH_FAILED): \(reason)")
        #expect(failure.hint?.contains("a clock is not the cause") == true)
        #expect(failure.status == .handshakeFailed)
        #expect(failure.code == .authFailed)
    }

    /// The same refused by the remote (it checked our AUTH_OK).
    @Test func aRemoteRefusingOurAuthOKPrincipalIsNotBlamedOnClocks() {
        let failure = CommandFailure.dialing(
            SNaP2PError.handshakeFailed(code: .authFailed, reason: "AUTH_OK principal differs from attestation"),
            address: "127.0.0.1:9000", localPrincipal: LocalWallet.ephemeral(network: .testnet).principal, usedToken: false)
        #expect(failure.message.contains("refused our AUTH_OK"))
        #expect(failure.hint?.contains("clocks are right") == false)
    }
}
