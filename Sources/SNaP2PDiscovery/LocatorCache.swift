import OrderedCollections
import SNaP2PIdentity

/// What this node knows of where principals listen: `principal → {locators, expires_at}`
/// (SPECS §10.2), bounded in principals and in locators per principal, least recently used first out.
///
/// Times are seconds on any clock that does not go backwards (the caller's choice, passed in), so
/// the cache is a pure value tested without waiting.
public struct LocatorCache: Sendable {
    /// The cache's bounds.
    public struct Limits: Sendable, Hashable {
        /// Principals kept; learning one more evicts the least recently used.
        public var principals: Int
        /// Locators kept per principal, newest first.
        public var locatorsPerPrincipal: Int
        /// The longest a hint is kept, whatever TTL it came with (SPECS: 24 hours by default).
        public var timeToLive: UInt64

        /// 4,096 principals of at most 8 locators, kept at most 24 hours.
        public init(principals: Int = 4096, locatorsPerPrincipal: Int = 8, timeToLive: UInt64 = 24 * 60 * 60) {
            self.principals = max(1, principals)
            self.locatorsPerPrincipal = max(1, locatorsPerPrincipal)
            self.timeToLive = timeToLive
        }
    }

    private struct Hint: Sendable {
        var locator: Locator
        var expiresAt: UInt64
    }

    /// The bounds in force.
    public let limits: Limits
    /// Least recently used first.
    private var entries: OrderedDictionary<Principal, [Hint]> = [:]

    /// An empty cache with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// How many principals have an entry (some may have expired and not yet been dropped).
    public var count: Int { entries.count }

    /// Learns that `principal` listens at `locators` (best first) for `ttl` seconds (at most
    /// ``Limits/timeToLive``; `nil`: that much). Locators already known get the new expiry.
    public mutating func learn(_ locators: [Locator], of principal: Principal, ttl: UInt64? = nil, now: UInt64) {
        let fresh = locators.filter { !$0.isUnspecified }
        guard !fresh.isEmpty else { return }
        let expiresAt = now &+ min(ttl ?? limits.timeToLive, limits.timeToLive)
        var hints = (entries.removeValue(forKey: principal) ?? []).filter { $0.expiresAt > now }
        var seen = Set<Locator>()
        var merged: [Hint] = []
        for locator in fresh where seen.insert(locator).inserted {
            merged.append(Hint(locator: locator, expiresAt: expiresAt))
        }
        for hint in hints where seen.insert(hint.locator).inserted {
            merged.append(hint)
        }
        hints = Array(merged.prefix(limits.locatorsPerPrincipal))
        if entries.count >= limits.principals {
            entries.removeFirst(entries.count - limits.principals + 1)
        }
        entries[principal] = hints
    }

    /// The locators of `principal` that have not expired, best first; marks it recently used.
    public mutating func locators(of principal: Principal, now: UInt64) -> [Locator] {
        guard let hints = entries.removeValue(forKey: principal) else { return [] }
        let live = hints.filter { $0.expiresAt > now }
        guard !live.isEmpty else { return [] }
        entries[principal] = live
        return live.map(\.locator)
    }

    /// Forgets one locator of `principal`: it failed, or proved to be someone else.
    public mutating func forget(_ locator: Locator, of principal: Principal) {
        guard let index = entries.index(forKey: principal) else { return }
        entries.values[index].removeAll { $0.locator == locator }
        if entries.values[index].isEmpty { entries.remove(at: index) }
    }
}
