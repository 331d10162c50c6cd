import NIOConcurrencyHelpers
import SNaP2PIdentity
import SNaP2PSession

/// A dial pinned to one principal: the dialer admits only a listener that proves `expected` (and
/// that its own policy admits), and remembers whom it refused, so the failure can name both.
final class PinnedPrincipalPolicy: AuthorizationPolicy {
    let expected: Principal
    private let base: any AuthorizationPolicy
    private let lastRefused = NIOLockedValueBox<Principal?>(nil)

    init(_ expected: Principal, within base: any AuthorizationPolicy) {
        self.expected = expected
        self.base = base
    }

    func authorize(_ principal: Principal) -> Bool {
        guard principal == expected else {
            lastRefused.withLockedValue { $0 = principal }
            return false
        }
        return base.authorize(principal)
    }

    /// The last principal that proved itself but was not the one expected.
    var refused: Principal? { lastRefused.withLockedValue { $0 } }
}
