import Foundation
import SNaP2P

/// `dial --expect PRINCIPAL`: the dialer admits only that listener, and remembers whom it refused
/// so the failure can name both the principal expected and the one the listener proved.
final class ExpectedPrincipalPolicy: AuthorizationPolicy, @unchecked Sendable {
    let expected: Principal
    /// Guarded by `lock`.
    private var lastRefused: Principal?
    private let lock = NSLock()

    init(_ expected: Principal) {
        self.expected = expected
    }

    func authorize(_ principal: Principal) -> Bool {
        guard principal != expected else { return true }
        lock.withLock { lastRefused = principal }
        return false
    }

    /// The last principal that proved itself but was not the one expected.
    var refused: Principal? { lock.withLock { lastRefused } }
}

extension CommandFailure {
    /// The listener at `address` proved `actual` where the dialer expected `expected`.
    static func principalMismatch(address: String, expected: Principal, actual: Principal) -> CommandFailure {
        CommandFailure(
            "principal mismatch: expected \(expected), but \(address) proved to be \(actual)",
            hint: "check the address and --expect; if both are right, another peer answers at \(address)",
            status: .handshakeFailed, code: .notAllowed)
    }
}
