import SNaP2PIdentity
import Testing

@testable import SNaP2PSession

/// The listener's resource accounting: each limit refuses the new thing, and every path a
/// connection can take releases exactly what it held.
@Suite struct SessionLedgerTests {
    static let alice = LocalWallet.ephemeral(network: .testnet).principal
    static let bob = LocalWallet.ephemeral(network: .testnet).principal

    @Test func eachLimitRefusesTheNextConnection() {
        var sessions = SessionLedger<Int>(limits: ResourceLimits(sessions: 2))
        #expect(sessions.admit(1, from: "a") == nil)
        #expect(sessions.admit(2, from: "b") == nil)
        #expect(sessions.admit(3, from: "c") == .sessions)

        var perAddress = SessionLedger<Int>(limits: ResourceLimits(sessionsPerAddress: 1))
        #expect(perAddress.admit(1, from: "a") == nil)
        #expect(perAddress.admit(2, from: "a") == .sessionsPerAddress)
        #expect(perAddress.admit(3, from: "b") == nil)

        var handshakes = SessionLedger<Int>(limits: ResourceLimits(handshakes: 1))
        #expect(handshakes.admit(1, from: "a") == nil)
        #expect(handshakes.admit(2, from: "a") == .handshakes)
        handshakes.handshakeEnded(1)
        #expect(handshakes.admit(2, from: "a") == nil)

        var perPrincipal = SessionLedger<Int>(limits: ResourceLimits(sessionsPerPrincipal: 1))
        #expect(perPrincipal.admit(1, from: "a") == nil)
        #expect(perPrincipal.admit(2, from: "b") == nil)
        #expect(perPrincipal.admitSession(1, of: Self.alice) == nil)
        #expect(perPrincipal.admitSession(2, of: Self.alice) == .sessionsPerPrincipal)
        #expect(perPrincipal.admitSession(2, of: Self.bob) == nil)
    }

    /// Closed before, during or after the handshake, refused per principal, or reported twice:
    /// the ledger ends empty every time.
    @Test(arguments: ["closed while handshaking", "failed handshake", "established", "reported twice", "closed twice"])
    func everyPathReleasesWhatItHeld(path: String) {
        var ledger = SessionLedger<Int>(limits: ResourceLimits(sessions: 1, sessionsPerAddress: 1, sessionsPerPrincipal: 1, handshakes: 1))
        #expect(ledger.admit(7, from: "10.0.0.1") == nil)
        switch path {
        case "closed while handshaking":
            break
        case "failed handshake":
            ledger.handshakeEnded(7)
        case "established":
            ledger.handshakeEnded(7)
            #expect(ledger.admitSession(7, of: Self.alice) == nil)
        case "reported twice":
            ledger.handshakeEnded(7)
            ledger.handshakeEnded(7)
            #expect(ledger.admitSession(7, of: Self.alice) == nil)
            #expect(ledger.admitSession(7, of: Self.alice) == nil)  // not counted twice
        default:
            ledger.handshakeEnded(7)
            ledger.closed(7)
        }
        ledger.closed(7)
        #expect(ledger.sessions == 0 && ledger.handshakes == 0)
        #expect(ledger.sessions(from: "10.0.0.1") == 0)
        #expect(ledger.sessions(with: Self.alice) == 0)
        // Room again for the same address, principal and handshake slot.
        #expect(ledger.admit(8, from: "10.0.0.1") == nil)
        ledger.handshakeEnded(8)
        #expect(ledger.admitSession(8, of: Self.alice) == nil)
    }

    @Test func aRefusedConnectionHoldsNothing() {
        var ledger = SessionLedger<Int>(limits: ResourceLimits(sessions: 1))
        #expect(ledger.admit(1, from: "a") == nil)
        #expect(ledger.admit(2, from: "b") == .sessions)
        ledger.closed(2)  // the refused one closes: nothing to release
        #expect(ledger.sessions == 1 && ledger.handshakes == 1)
        #expect(ledger.sessions(from: "b") == 0)
    }
}
