/// A token bucket per session: `burst` messages at once, then `perSecond` on average. Counting
/// requests and pushes keeps one peer from making this node a scanner or flooding its cache.
public struct PXRateLimiter: Sendable, Hashable {
    /// The most messages accepted at once.
    public let burst: Double
    /// Messages a second accepted in the long run.
    public let perSecond: Double
    private var tokens: Double
    private var updatedAt: UInt64?

    /// A full bucket.
    public init(burst: Int = 16, perSecond: Double = 4) {
        self.burst = Double(max(1, burst))
        self.perSecond = max(0, perSecond)
        self.tokens = self.burst
    }

    /// Takes a token at `nanoseconds` (any monotonic clock); `false` when the bucket is empty.
    public mutating func allow(atNanoseconds nanoseconds: UInt64) -> Bool {
        if let updatedAt, nanoseconds > updatedAt {
            tokens = min(burst, tokens + Double(nanoseconds - updatedAt) / 1e9 * perSecond)
        }
        updatedAt = max(updatedAt ?? nanoseconds, nanoseconds)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
