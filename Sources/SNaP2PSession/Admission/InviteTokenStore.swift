import Foundation
import SNaP2PIdentity

/// The invite tokens a stealth listener accepts in a dialer's KNOCK.
///
/// Tokens are shared out of band with the listener's address; a scanner without one gets no Noise
/// handshake and learns nothing. The store is shared between the app (which issues and revokes
/// tokens while the listener runs) and every connection's handshake, hence a locked reference type.
/// Lookups compare against every stored token in constant time, so timing says nothing about
/// which bytes of a guess were right.
public final class InviteTokenStore: @unchecked Sendable {
    /// How often one token may be redeemed.
    public enum Uses: Sendable, Hashable {
        /// Until it expires or is revoked (the protocol's default).
        case unlimited
        /// At most this many successful KNOCKs.
        case limited(Int)

        /// Good for exactly one connection.
        public static let single = Uses.limited(1)
    }

    /// The outcome of checking a presented token. Everything but `accepted` is answered
    /// with INVALID_TOKEN; the distinction is for logs.
    public enum Verdict: Sendable, Hashable {
        /// Valid; one use counted.
        case accepted
        /// Never issued, revoked, or already removed.
        case unknown
        /// Past its validity (and now removed).
        case expired
        /// Its uses are spent.
        case usedUp
    }

    /// Errors from ``add(_:validity:uses:)``.
    public enum TokenError: Error, Sendable, Hashable {
        /// Tokens are 16-32 bytes (PROTOCOL.md §7).
        case invalidLength(Int)
    }

    /// Token length limits of the KNOCK message.
    public static let tokenLengths: ClosedRange<Int> = 16...32
    /// How long an issued token stays valid unless told otherwise.
    public static let defaultValidity: Duration = .seconds(24 * 60 * 60)

    private struct Entry {
        var token: [UInt8]
        var expiry: ContinuousClock.Instant
        var remainingUses: Int?

        mutating func wipe() {
            secureZero(&token)
        }
    }

    private let clock: @Sendable () -> ContinuousClock.Instant
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var entries: [Entry] = []

    /// - Parameter clock: the time source for expiry; injected so tests need not wait.
    public init(clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.clock = clock
    }

    deinit {
        for index in entries.indices { entries[index].wipe() }
    }

    /// Draws a fresh 32-byte token from the system CSPRNG and stores it.
    public func issue(validity: Duration = InviteTokenStore.defaultValidity, uses: Uses = .unlimited) -> [UInt8] {
        let token = SecureRandom.bytes(32)
        insert(token, validity: validity, uses: uses)
        return token
    }

    /// Stores a token made elsewhere (for example one given on a command line).
    public func add(_ token: [UInt8], validity: Duration = InviteTokenStore.defaultValidity, uses: Uses = .unlimited) throws(TokenError) {
        guard Self.tokenLengths.contains(token.count) else { throw .invalidLength(token.count) }
        insert(token, validity: validity, uses: uses)
    }

    /// Removes a token; returns whether it was present.
    @discardableResult
    public func revoke(_ token: [UInt8]) -> Bool {
        lock.withLock {
            guard let index = constantTimeIndex(of: token) else { return false }
            entries[index].wipe()
            entries.remove(at: index)
            return true
        }
    }

    /// Checks a presented token and, when it is accepted, counts one use.
    public func redeem(_ token: [UInt8]) -> Verdict {
        let now = clock()
        return lock.withLock {
            guard let index = constantTimeIndex(of: token) else { return .unknown }
            if entries[index].expiry <= now {
                entries[index].wipe()
                entries.remove(at: index)
                return .expired
            }
            switch entries[index].remainingUses {
            case nil:
                return .accepted
            case let remaining? where remaining > 0:
                if remaining == 1 {
                    entries[index].wipe()
                    entries.remove(at: index)
                } else {
                    entries[index].remainingUses = remaining - 1
                }
                return .accepted
            case _?:
                return .usedUp
            }
        }
    }

    /// How many tokens are stored and not yet expired.
    public var activeCount: Int {
        let now = clock()
        return lock.withLock { entries.count(where: { $0.expiry > now }) }
    }

    private func insert(_ token: [UInt8], validity: Duration, uses: Uses) {
        let now = clock()
        let remainingUses: Int? = switch uses {
        case .unlimited: nil
        case .limited(let count): max(count, 0)
        }
        lock.withLock {
            removeExpired(now: now)
            if let index = constantTimeIndex(of: token) {
                entries[index].wipe()
                entries.remove(at: index)
            }
            entries.append(Entry(token: token, expiry: now + validity, remainingUses: remainingUses))
        }
    }

    private func removeExpired(now: ContinuousClock.Instant) {
        for index in entries.indices.reversed() where entries[index].expiry <= now {
            entries[index].wipe()
            entries.remove(at: index)
        }
    }

    /// Compares with every entry, never stopping early, so the time taken does not depend on
    /// where (or whether) the token matched. Call with the lock held.
    private func constantTimeIndex(of token: [UInt8]) -> Int? {
        var found: Int? = nil
        for index in entries.indices where constantTimeEquals(entries[index].token, token) && found == nil {
            found = index
        }
        return found
    }
}
