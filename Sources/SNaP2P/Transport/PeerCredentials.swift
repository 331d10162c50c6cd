import NIOConcurrencyHelpers
import SNaP2PIdentity

/// What a peer presents in a handshake: its node key's attestation and, when it has an alias, its
/// alias card.
struct PeerPresentation: Sendable {
    let attestation: NodeKeyAttestation
    let aliasCard: AliasCard?
}

/// The node key and what vouches for it, re-issued before it expires: the attestation, and the
/// alias card when the peer has an alias.
///
/// The reference never renews its attestation, so it stops authenticating 24 h after start; here
/// a dial always gets fresh-enough credentials, and a listener keeps them fresh in the background
/// (``keepRenewed()``), since its handshakes start on the event loop and cannot wait for a signature.
final class PeerCredentials: Sendable {
    let nodeKey: NodeKey
    private let wallet: any Wallet
    private let validity: Duration
    private let alias: PeerConfiguration.Alias?
    private let clock: @Sendable () -> UInt64
    private let presentation = NIOLockedValueBox<PeerPresentation?>(nil)

    /// - Parameter clock: unix seconds for issuing; tests shift it to make stale attestations.
    init(
        wallet: any Wallet,
        validity: Duration,
        alias: PeerConfiguration.Alias? = nil,
        clock: @escaping @Sendable () -> UInt64 = WallClock.unixSeconds
    ) {
        self.wallet = wallet
        self.validity = validity
        self.alias = alias
        self.clock = clock
        self.nodeKey = NodeKey.generate()
    }

    /// An attestation (and card) with at least a quarter of its validity left, issuing what is needed.
    func current() async throws -> PeerPresentation {
        let now = clock()
        let existing = presentation.withLockedValue { $0 }
        let attestation: NodeKeyAttestation
        if let held = existing?.attestation, !Self.needsRenewal(held.issuedAt, held.expiresAt, now: now) {
            attestation = held
        } else {
            attestation = try await NodeKeyAttestation.issue(
                wallet: wallet,
                nodePublicKey: nodeKey.publicKey,
                issuedAt: now,
                validity: UInt64(validity.components.seconds)
            )
        }
        var card: AliasCard?
        if let alias {
            if let held = existing?.aliasCard, !Self.needsRenewal(held.issuedAt, held.expiresAt, now: now) {
                card = held
            } else {
                card = try await AliasCard.issue(wallet: wallet, alias: alias.name, displayName: alias.displayName, issuedAt: now)
            }
        }
        let fresh = PeerPresentation(attestation: attestation, aliasCard: card)
        presentation.withLockedValue { $0 = fresh }
        return fresh
    }

    /// What was issued most recently; ``current()`` has run before any listener starts.
    var latest: PeerPresentation {
        presentation.withLockedValue { $0! }
    }

    /// Re-issues the attestation and card whenever one enters its renewal margin, until cancelled.
    func keepRenewed() async {
        while !Task.isCancelled {
            let now = clock()
            let renewAt = presentation.withLockedValue { $0.map(Self.renewalTime) } ?? 0
            if renewAt > now {
                // Wake at least hourly so a changed wall clock is noticed.
                let wait = min(renewAt - now, 3600)
                try? await Task.sleep(for: .seconds(Int64(wait)))
                continue
            }
            do {
                _ = try await current()
            } catch {
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    /// When the first of the presented documents enters its renewal margin.
    private static func renewalTime(_ presentation: PeerPresentation) -> UInt64 {
        let attestation = presentation.attestation
        var renewAt = attestation.expiresAt - margin(attestation.issuedAt, attestation.expiresAt)
        if let card = presentation.aliasCard {
            renewAt = min(renewAt, card.expiresAt - margin(card.issuedAt, card.expiresAt))
        }
        return renewAt
    }

    private static func needsRenewal(_ issuedAt: UInt64, _ expiresAt: UInt64, now: UInt64) -> Bool {
        expiresAt <= now + margin(issuedAt, expiresAt)
    }

    /// Renew when less than a quarter of the validity is left.
    private static func margin(_ issuedAt: UInt64, _ expiresAt: UInt64) -> UInt64 {
        expiresAt > issuedAt ? (expiresAt - issuedAt) / 4 : 0
    }
}
