import SNaP2PDiscovery
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession
import SNaP2PWire

// The types a user of `Peer` names, re-exported one by one so `import SNaP2P` is enough; the
// modules behind them (codecs, Noise, state machines) stay out of the public surface.

/// A Stacks identity as SNaP2P names it: `stacks:<address>`.
public typealias Principal = SNaP2PIdentity.Principal
/// Why text is not a principal.
public typealias PrincipalError = SNaP2PIdentity.PrincipalError
/// A c32check Stacks address.
public typealias StacksAddress = SNaP2PIdentity.StacksAddress
/// Mainnet or testnet.
public typealias StacksNetwork = SNaP2PIdentity.StacksNetwork
/// Anything that can sign as a principal: a key in memory, a hardware or remote signer.
public typealias Wallet = SNaP2PIdentity.Wallet
/// A wallet whose key is in this process (from a phrase, a key, or ephemeral).
public typealias LocalWallet = SNaP2PIdentity.LocalWallet
/// A BIP-39 phrase.
public typealias Mnemonic = SNaP2PIdentity.Mnemonic
/// The encrypted wallet files the TypeScript reference reads and writes.
public typealias WalletStore = SNaP2PIdentity.WalletStore
/// A wallet's entry in a ``WalletStore``.
public typealias StoredWallet = SNaP2PIdentity.StoredWallet
/// Why a ``WalletStore`` operation failed.
public typealias WalletStoreError = SNaP2PIdentity.WalletStoreError
/// A wallet's signed statement that a node key speaks for it.
public typealias NodeKeyAttestation = SNaP2PIdentity.NodeKeyAttestation
/// A wallet-signed alias and display name for a principal.
public typealias AliasCard = SNaP2PIdentity.AliasCard
/// Why an alias card was refused.
public typealias AliasCardError = SNaP2PIdentity.AliasCardError

/// How a peer presents itself in HELLO: public, private or stealth.
public typealias Visibility = SNaP2PWire.Visibility
/// A protocol error code, as carried by AUTH_FAIL, ERROR and CLOSE_STREAM.
public typealias ProtocolErrorCode = SNaP2PWire.ProtocolErrorCode

/// Who may hold a session with a peer.
public typealias AuthorizationPolicy = SNaP2PSession.AuthorizationPolicy
/// Admits every authenticated principal.
public typealias AllowAllPolicy = SNaP2PSession.AllowAllPolicy
/// Admits only the listed principals.
public typealias AllowlistPolicy = SNaP2PSession.AllowlistPolicy
/// The invite tokens a stealth listener accepts.
public typealias InviteTokenStore = SNaP2PSession.InviteTokenStore
/// Checks a KNOCK's invite token.
public typealias InviteTokenVerifier = SNaP2PSession.InviteTokenVerifier
/// How much a listener takes on at once.
public typealias ResourceLimits = SNaP2PSession.ResourceLimits
/// Connections per remote address a listener accepts per period.
public typealias ConnectionRateLimit = SNaP2PSession.ConnectionRateLimit
/// The optional features both sides of a session agreed on.
public typealias SessionFeatures = SNaP2PSession.SessionFeatures
/// A HELLO capability flag.
public typealias SessionCapability = SNaP2PSession.SessionCapability
/// Which Noise key schedule sessions may use.
public typealias NoiseSchedulePolicy = SNaP2PSession.NoiseSchedulePolicy
/// The Noise key schedule a session uses: standard, or the TypeScript reference's.
public typealias NoiseKeySchedule = SNaP2PNoise.NoiseKeySchedule

/// Where a principal may listen: `ip:port`, `[ipv6]:port` or `dns:port` (a PX-1 routing hint).
public typealias Locator = SNaP2PDiscovery.Locator
/// Why text is not a locator.
public typealias LocatorError = SNaP2PDiscovery.LocatorError
/// The PX-1 locator cache (its ``LocatorCache/Limits`` configure ``PeerConfiguration/Discovery``).
public typealias LocatorCache = SNaP2PDiscovery.LocatorCache
