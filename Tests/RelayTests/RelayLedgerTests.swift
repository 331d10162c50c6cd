import SNaP2PIdentity
import SNaP2PRelay
import Testing

/// The relay's limits, without sockets: each refusal with its reason, and what frees a slot.
@Suite struct RelayLedgerTests {
    static let principals = (0..<6).map { _ in LocalWallet.ephemeral(network: .testnet).principal }
    let a = principals[0], b = principals[1], c = principals[2], d = principals[3], e = principals[4], f = principals[5]

    @Test func reservationExpiresAfterItsDurationAndRenews() throws {
        var ledger = RelayLedger(limits: RelayLimits(reservationDuration: .seconds(60)))
        #expect(try ledger.reserve(a, session: 1, now: 1000).get() == 1060)
        #expect(reason(ledger.openCircuit(from: b, to: a, now: 1060)) == .noReservation)
        #expect(try ledger.reserve(a, session: 1, now: 1059).get() == 1119)
        #expect((try? ledger.openCircuit(from: b, to: a, now: 1060).get())?.session == 1)
    }

    @Test func unreservedPrincipalIsRefused() {
        var ledger = RelayLedger(limits: RelayLimits())
        #expect(reason(ledger.openCircuit(from: a, to: b, now: 0)) == .noReservation)
        #expect(ledger.circuitCount == 0)
    }

    @Test func onlyAllowedPrincipalsReserve() {
        var ledger = RelayLedger(limits: RelayLimits(reservers: .only([a])))
        #expect(reason(ledger.reserve(b, session: 1, now: 0)) == .notAllowed)
        #expect((try? ledger.reserve(a, session: 1, now: 0).get()) != nil)
    }

    @Test func reservationsAreCappedUntilOneExpiresOrItsSessionEnds() {
        var ledger = RelayLedger(limits: RelayLimits(reservations: 2, reservationDuration: .seconds(10)))
        _ = ledger.reserve(a, session: 1, now: 0)
        _ = ledger.reserve(b, session: 2, now: 5)
        #expect(reason(ledger.reserve(c, session: 3, now: 9)) == .reservationsFull)
        #expect((try? ledger.reserve(a, session: 1, now: 9).get()) == 19, "a holder renews even when full")
        #expect((try? ledger.reserve(c, session: 3, now: 15).get()) == 25, "b's reservation expired at 15")
        ledger.sessionEnded(1)
        #expect(ledger.reservationCount == 1)
        #expect(reason(ledger.openCircuit(from: d, to: a, now: 16)) == .noReservation)
    }

    @Test func reservationMovesToTheNewestSession() {
        var ledger = RelayLedger(limits: RelayLimits())
        _ = ledger.reserve(a, session: 1, now: 0)
        _ = ledger.reserve(a, session: 2, now: 0)
        ledger.sessionEnded(1)
        #expect((try? ledger.openCircuit(from: b, to: a, now: 1).get())?.session == 2)
    }

    @Test func relayedConnectionsAreCappedInTotalAndPerPeer() throws {
        var ledger = RelayLedger(limits: RelayLimits(relayedConnections: 3, relayedConnectionsPerPeer: 2))
        for target in [a, b, c] { _ = ledger.reserve(target, session: 1, now: 0) }
        let first = try ledger.openCircuit(from: d, to: a, now: 1).get()
        _ = try ledger.openCircuit(from: d, to: b, now: 1).get()
        #expect(reason(ledger.openCircuit(from: d, to: c, now: 1)) == .peerLimit, "d is the source of two")
        _ = try ledger.openCircuit(from: e, to: a, now: 1).get()
        #expect(reason(ledger.openCircuit(from: f, to: a, now: 1)) == .relayFull)
        #expect(ledger.closeCircuit(first.id)?.source == d)
        #expect(ledger.closeCircuit(first.id) == nil, "closing twice counts once")
        #expect(reason(ledger.openCircuit(from: f, to: a, now: 1)) == nil, "a is an end of one now")
        #expect(reason(ledger.openCircuit(from: d, to: b, now: 1)) == .relayFull, "three are open again")
    }

    @Test func bytesAreCountedUntilTheLimit() throws {
        var ledger = RelayLedger(limits: RelayLimits(connectionBytes: 100))
        _ = ledger.reserve(a, session: 1, now: 0)
        let circuit = try ledger.openCircuit(from: b, to: a, now: 0).get()
        let first = ledger.forward(60, on: circuit.id)
        let second = ledger.forward(40, on: circuit.id)
        let over = ledger.forward(1, on: circuit.id)
        #expect(first && second && !over)
        #expect(ledger.circuit(circuit.id)?.byteCount == 100)
        #expect(ledger.forwardedByteCount == 100)
        _ = ledger.closeCircuit(circuit.id)
        let afterClose = ledger.forward(1, on: circuit.id)
        #expect(!afterClose, "a closed circuit forwards nothing")
        #expect(ledger.forwardedByteCount == 100)
    }

    private func reason<Success>(_ result: Result<Success, RelayRefusal>) -> RelayReason? {
        if case .failure(let refusal) = result { refusal.reason } else { nil }
    }
}
