/// How many unauthenticated connections one remote IP may open per sliding window.
public struct ConnectionRateLimit: Sendable, Hashable {
    /// Connections admitted per window; the next one inside the window is refused.
    public var maximumConnections: Int
    /// The sliding window length.
    public var window: Duration

    /// At most `maximumConnections` per `window` from one address.
    public init(maximumConnections: Int, per window: Duration) {
        self.maximumConnections = maximumConnections
        self.window = window
    }

    /// Stealth listeners: 5 per minute (PROTOCOL.md §7).
    public static let stealth = ConnectionRateLimit(maximumConnections: 5, per: .seconds(60))
    /// Private listeners: 30 per minute (PROTOCOL.md §7).
    public static let `private` = ConnectionRateLimit(maximumConnections: 30, per: .seconds(60))
}

/// Decides at accept time, before any cryptography, whether a remote IP may open another connection.
///
/// A sliding log per address: the timestamps of the admitted connections inside the window.
/// Refused attempts are not recorded, so a client that backs off gets in again once its oldest
/// admitted connection leaves the window. Addresses whose log has emptied are swept once per
/// window, so a scan from many addresses cannot grow the table without bound for long.
/// A value type owned by one listener on one thread; the clock is passed in.
package struct ConnectionRateLimiter {
    package let limit: ConnectionRateLimit
    private var admissions: [String: [ContinuousClock.Instant]] = [:]
    private var lastSweep: ContinuousClock.Instant?

    package init(limit: ConnectionRateLimit) {
        self.limit = limit
    }

    /// Records and admits a connection from `address`, or refuses it when the address is over the limit.
    package mutating func admit(_ address: String, at now: ContinuousClock.Instant) -> Bool {
        sweepIfDue(now: now)
        let windowStart = now - limit.window
        var log = admissions.removeValue(forKey: address) ?? []
        if let firstFresh = log.firstIndex(where: { $0 > windowStart }) {
            log.removeFirst(firstFresh)
        } else {
            log.removeAll(keepingCapacity: true)
        }
        let admitted = log.count < limit.maximumConnections
        if admitted { log.append(now) }
        if !log.isEmpty { admissions[address] = log }
        return admitted
    }

    /// The number of addresses currently tracked (for tests and diagnostics).
    package var trackedAddresses: Int { admissions.count }

    private mutating func sweepIfDue(now: ContinuousClock.Instant) {
        guard let last = lastSweep else {
            lastSweep = now
            return
        }
        guard now - last >= limit.window else { return }
        lastSweep = now
        let windowStart = now - limit.window
        admissions = admissions.filter { $0.value.last.map { $0 > windowStart } ?? false }
    }
}
