import NIOConcurrencyHelpers
import SNaP2PIdentity

/// The node key and its current attestation, re-issued before it expires.
///
/// The reference never renews its attestation, so it stops authenticating 24 h after start; here
/// a dial always gets a fresh-enough attestation, and a listener keeps one fresh in the background
/// (``keepRenewed()``), since its handshakes start on the event loop and cannot wait for a signature.
final class PeerCredentials: Sendable {
    let nodeKey: NodeKey
    private let wallet: any Wallet
    private let validity: Duration
    private let clock: @Sendable () -> UInt64
    private let attestation = NIOLockedValueBox<NodeKeyAttestation?>(nil)

    /// - Parameter clock: unix seconds for issuing; tests shift it to make stale attestations.
    init(wallet: any Wallet, validity: Duration, clock: @escaping @Sendable () -> UInt64 = WallClock.unixSeconds) {
        self.wallet = wallet
        self.validity = validity
        self.clock = clock
        self.nodeKey = NodeKey.generate()
    }

    /// An attestation with at least a quarter of its validity left, issuing one if needed.
    func current() async throws -> NodeKeyAttestation {
        let now = clock()
        if let existing = attestation.withLockedValue({ $0 }), existing.expiresAt > now + renewalMargin {
            return existing
        }
        let fresh = try await NodeKeyAttestation.issue(
            wallet: wallet,
            nodePublicKey: nodeKey.publicKey,
            issuedAt: now,
            validity: UInt64(validity.components.seconds)
        )
        attestation.withLockedValue { $0 = fresh }
        return fresh
    }

    /// The attestation most recently issued; ``current()`` has run before any listener starts.
    var latest: NodeKeyAttestation {
        attestation.withLockedValue { $0! }
    }

    /// Re-issues the attestation whenever it enters its renewal margin, until cancelled.
    func keepRenewed() async {
        while !Task.isCancelled {
            let expiresAt = attestation.withLockedValue { $0?.expiresAt } ?? 0
            let now = clock()
            let renewAt = expiresAt > renewalMargin ? expiresAt - renewalMargin : 0
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

    /// Renew when less than a quarter of the validity is left.
    private var renewalMargin: UInt64 { UInt64(validity.components.seconds) / 4 }
}
