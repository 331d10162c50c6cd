import SNaP2PDiscovery
import SNaP2PIdentity

/// Why ``Peer/dial(principal:inviteToken:)`` found no session: nobody knew where the principal
/// listens, or every locator tried failed. Both say whom this peer asked and what each answered.
public enum PrincipalDialError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No locator at all: not in the cache, and no connected peer knew one (or none was asked).
    case notFound(Principal, asked: [ResolverAnswer])
    /// Locators were found, but none led to a session with the principal.
    case unreachable(Principal, asked: [ResolverAnswer], attempts: [CandidateFailure])

    /// The principal dialed.
    public var principal: Principal {
        switch self {
        case .notFound(let principal, _), .unreachable(let principal, _, _): principal
        }
    }

    /// The connected peers asked, and what each said.
    public var asked: [ResolverAnswer] {
        switch self {
        case .notFound(_, let asked), .unreachable(_, let asked, _): asked
        }
    }

    public var description: String {
        switch self {
        case .notFound(let principal, let asked):
            let who = asked.isEmpty
                ? "no locator cached and no connected peer speaks PX-1"
                : "asked " + asked.map(\.description).joined(separator: "; ")
            return "\(principal) not found: \(who)"
        case .unreachable(let principal, let asked, let attempts):
            let tried = attempts.map(\.description).joined(separator: "; ")
            let who = asked.isEmpty ? "" : " (asked " + asked.map(\.description).joined(separator: "; ") + ")"
            return "\(principal) unreachable: tried \(tried)\(who)"
        }
    }
}

/// One connected peer asked to resolve a principal, and its answer.
public struct ResolverAnswer: Sendable, Hashable, CustomStringConvertible {
    /// What a peer answered.
    public enum Outcome: Sendable, Hashable {
        /// Where it says the principal listens.
        case locators([Locator])
        /// It knows nothing (or its policy keeps it from saying).
        case noneKnown
        /// The exchange failed: the stream was refused or closed, or the answer was malformed.
        case failed(String)
        /// No answer before another peer's answer or the timeout ended the resolution.
        case noAnswer
    }

    /// The peer asked.
    public let resolver: Principal
    /// Its address, when known.
    public let remoteAddress: String?
    /// What it said.
    public let outcome: Outcome

    /// An answer `outcome` from `resolver` at `remoteAddress`.
    public init(resolver: Principal, remoteAddress: String?, outcome: Outcome) {
        self.resolver = resolver
        self.remoteAddress = remoteAddress
        self.outcome = outcome
    }

    public var description: String {
        let who = remoteAddress.map { "\(resolver) at \($0)" } ?? "\(resolver)"
        switch outcome {
        case .locators(let locators): return "\(who): " + locators.map(\.description).joined(separator: ", ")
        case .noneKnown: return "\(who): not known"
        case .failed(let reason): return "\(who): failed (\(reason))"
        case .noAnswer: return "\(who): no answer"
        }
    }
}

/// One locator a dial by principal tried, where it came from, and why it failed.
public struct CandidateFailure: Sendable, Hashable, CustomStringConvertible {
    /// Where a locator came from.
    public enum Source: Sendable, Hashable {
        /// This peer's locator cache.
        case cache
        /// A connected peer's answer.
        case resolver(Principal)
    }

    /// The locator dialed.
    public let locator: Locator
    /// Where it came from.
    public let source: Source
    /// Why it failed: unreachable, a handshake failure, or ``SNaP2PError/principalMismatch(expected:actual:)``
    /// when someone else answered there.
    public let error: SNaP2PError

    /// `locator`, from `source`, failed with `error`.
    public init(locator: Locator, source: Source, error: SNaP2PError) {
        self.locator = locator
        self.source = source
        self.error = error
    }

    public var description: String {
        let from = switch source {
        case .cache: "cached"
        case .resolver(let principal): "from \(principal)"
        }
        return "\(locator) (\(from)): \(error)"
    }
}
