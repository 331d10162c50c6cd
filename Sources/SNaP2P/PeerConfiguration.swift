import CoreMetrics
import Logging
import SNaP2PDiscovery
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PWire

/// How a ``Peer`` presents itself and whom it admits. Every field has the protocol's default.
public struct PeerConfiguration: Sendable {
    /// The Stacks network of this peer's identity and of the identities it accepts (a mainnet
    /// peer refuses testnet attestations). A peer made with a wallet takes the wallet's network.
    public var network: StacksNetwork
    /// Sent in HELLO; a stealth listener also requires an invite token before any handshake.
    public var visibility: Visibility
    /// Who may hold a session with this peer, checked after the remote's attestation verified.
    /// Applies to both roles: a dialer refuses a listener it does not admit.
    public var authorization: any AuthorizationPolicy
    /// The invite tokens a stealth listener accepts. Issue and revoke tokens on it at any time.
    public var inviteTokens: InviteTokenStore
    /// Connections per remote IP a listener accepts before any cryptography.
    public var rateLimit: RateLimit
    /// How long a dial may take to establish TCP.
    public var connectTimeout: Duration
    /// How long a handshake may take, from TCP connect to AUTH_OK.
    public var handshakeTimeout: Duration
    /// PING cadence and how long a PONG may take before the session is closed.
    public var keepalive: Keepalive
    /// Streams the remote may have open at once; one more is refused with STREAM_REFUSED.
    public var maximumStreams: Int
    /// What a listener takes on at once: connections (in total and per address), handshakes in
    /// flight, sessions per principal. Over a limit a new connection is closed before any
    /// cryptography, and a session over its principal's limit is closed with RESOURCE_EXHAUSTED.
    public var limits: ResourceLimits
    /// Offers the `fc1` flow-control capability; used only when the remote offers it too.
    public var flowControl: Bool
    /// Offers the `relay1` capability (docs/RELAY.md): remotes that offer it too may reserve and
    /// connect through this peer (if it serves a relay) and announce relayed sessions to it (if it
    /// holds a reservation there). Without it no `relay-1` stream is opened or answered.
    public var relay: Bool
    /// Offers the `upgrade1` capability: a relayed connection this peer dials, with a remote that
    /// offers it too, tries at once to move onto a direct TCP connection by simultaneous open from
    /// the ports both use toward the relay (docs/NAT-TRAVERSAL.md, "Direct upgrade"); the relayed
    /// path goes on if that fails. See ``Connection/directUpgrade()``.
    public var directUpgrade: Bool
    /// How long a direct upgrade may try to connect before the relayed path is kept.
    public var directUpgradeTimeout: Duration
    /// Which Noise key schedule sessions may use: by default standard Noise with peers that offer
    /// or take it (Swift peers) and the reference schedule with those that do not (TypeScript).
    public var noisePolicy: NoiseSchedulePolicy
    /// The alias this peer presents to peers that take alias cards; the wallet signs the card (valid
    /// 7 days, re-signed before it runs out). `nil`: no card.
    public var alias: Alias?
    /// Protocols that serve the streams remotes open with their label (see ``StreamProtocols``).
    public var streamProtocols: StreamProtocols
    /// PX-1 discovery (docs/PX-1.md): on by default unless stealth; what it tells and asks.
    public var discovery: Discovery
    /// Unread bytes a session holds for a remote without fc1 (a TypeScript peer) before it stops
    /// reading from the socket, which holds that remote back. With fc1 each stream's window does
    /// this instead: 256 KiB, growing to 32 MiB only for readers that keep up.
    public var receiveBuffer: Int
    /// How long this peer's node-key attestation is valid; it is re-issued before it runs out.
    public var attestationValidity: Duration
    /// Where the peer logs. Silent unless a handler is given; never logs secrets.
    public var logger: Logger
    /// Where the peer reports its metrics (docs/METRICS.md); `nil`: `MetricsSystem.factory`, the
    /// backend the application bootstrapped (none unless it did). The library never picks one.
    public var metricsFactory: (any MetricsFactory)?
    /// How long a ``Listener`` shutting down lets open streams finish before it closes the
    /// sessions left (see ``Listener/shutdown(gracePeriod:)``).
    public var shutdownGracePeriod: Duration

    /// The rate-limit setting of ``rateLimit``.
    public enum RateLimit: Sendable, Hashable {
        /// The protocol's defaults: stealth 5, private 30 per minute, public unlimited.
        case automatic
        /// No limit (tests and load runs).
        case off
        /// This limit, whatever the visibility.
        case custom(ConnectionRateLimit)
    }

    /// A self-chosen handle (docs/ALIASCARDS.md): not unique, always shown beside the principal.
    public struct Alias: Sendable, Hashable {
        /// The normalized alias, e.g. `alice`.
        public let name: String
        /// Free text up to 64 characters, e.g. `Alice 🌻`; may be empty.
        public let displayName: String

        /// Normalizes `name` (NFKC, lower case, trimmed) and checks both against the card's rules.
        public init(_ name: String, displayName: String = "") throws(AliasCardError) {
            self.name = try AliasCard.normalize(alias: name)
            try AliasCard.check(displayName: displayName)
            self.displayName = displayName
        }
    }

    /// PX-1 settings: dial a principal through the peers this one holds sessions with.
    public struct Discovery: Sendable {
        /// Whether PX-1 runs (the `px1` capability); `nil`: on for public and private peers, off
        /// for stealth ones (SPECS §10.3).
        public var enabled: Bool?
        /// Where this peer tells others it listens (public peers only). `nil`: each listener's
        /// address, or, for a listener on a wildcard address (`0.0.0.0`, `::`), the local address
        /// of the session the hint goes over with the listener's port.
        public var advertisedLocators: [Locator]?
        /// The locator cache's bounds and its longest time to live (24 hours).
        public var cache: LocatorCache.Limits
        /// The only principals a stealth peer with PX-1 enabled answers.
        public var stealthAllowlist: Set<Principal>
        /// How long a dial by principal waits for connected peers to answer.
        public var resolveTimeout: Duration
        /// How many connected peers one resolution asks, at most.
        public var maximumResolvers: Int
        /// How many locators one dial by principal tries, at most: a hint cannot make this peer a scanner.
        public var maximumCandidates: Int
        /// Requests and pushes a remote may send: a burst, then a rate per second (per session).
        public var messageBurst: Int
        /// See ``messageBurst``.
        public var messagesPerSecond: Double

        /// The defaults: automatic, 3 s to resolve through at most 8 peers, 4 candidates per dial,
        /// 16 messages at once then 4 a second from each remote.
        public init(
            enabled: Bool? = nil,
            advertisedLocators: [Locator]? = nil,
            cache: LocatorCache.Limits = LocatorCache.Limits(),
            stealthAllowlist: Set<Principal> = [],
            resolveTimeout: Duration = .seconds(3),
            maximumResolvers: Int = 8,
            maximumCandidates: Int = 4,
            messageBurst: Int = 16,
            messagesPerSecond: Double = 4
        ) {
            self.enabled = enabled
            self.advertisedLocators = advertisedLocators
            self.cache = cache
            self.stealthAllowlist = stealthAllowlist
            self.resolveTimeout = resolveTimeout
            self.maximumResolvers = maximumResolvers
            self.maximumCandidates = maximumCandidates
            self.messageBurst = messageBurst
            self.messagesPerSecond = messagesPerSecond
        }
    }

    /// Keepalive timing.
    public struct Keepalive: Sendable, Hashable {
        /// Time between PINGs (the first goes out when the session starts).
        public var interval: Duration
        /// How long to wait for a PONG before closing the session with TIMEOUT.
        public var timeout: Duration

        /// The reference's timing by default; tests shorten it. Counted in whole seconds.
        public init(interval: Duration = .seconds(30), timeout: Duration = .seconds(10)) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    /// A configuration with the protocol's defaults; name only what differs.
    public init(
        network: StacksNetwork = .mainnet,
        visibility: Visibility = .public,
        authorization: any AuthorizationPolicy = AllowAllPolicy(),
        inviteTokens: InviteTokenStore = InviteTokenStore(),
        rateLimit: RateLimit = .automatic,
        connectTimeout: Duration = .seconds(10),
        handshakeTimeout: Duration = .seconds(30),
        keepalive: Keepalive = Keepalive(),
        maximumStreams: Int = 100,
        limits: ResourceLimits = ResourceLimits(),
        flowControl: Bool = true,
        relay: Bool = true,
        directUpgrade: Bool = true,
        directUpgradeTimeout: Duration = .seconds(5),
        noisePolicy: NoiseSchedulePolicy = .preferStandard,
        alias: Alias? = nil,
        discovery: Discovery = Discovery(),
        receiveBuffer: Int = 1 << 20,
        attestationValidity: Duration = .seconds(24 * 60 * 60),
        logger: Logger = Logger(label: "snap2p", factory: { _ in SwiftLogNoOpLogHandler() }),
        metricsFactory: (any MetricsFactory)? = nil,
        shutdownGracePeriod: Duration = .seconds(10)
    ) {
        self.network = network
        self.visibility = visibility
        self.authorization = authorization
        self.inviteTokens = inviteTokens
        self.rateLimit = rateLimit
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.keepalive = keepalive
        self.maximumStreams = maximumStreams
        self.limits = limits
        self.flowControl = flowControl
        self.relay = relay
        self.directUpgrade = directUpgrade
        self.directUpgradeTimeout = directUpgradeTimeout
        self.noisePolicy = noisePolicy
        self.alias = alias
        self.streamProtocols = StreamProtocols()
        self.discovery = discovery
        self.receiveBuffer = receiveBuffer
        self.attestationValidity = attestationValidity
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// The HELLO capabilities this peer announces.
    var capabilities: [SessionCapability] {
        SessionCapability.supported.filter { capability in
            switch capability {
            case .flowControl: flowControl
            case .discovery: discoveryPolicy.isEnabled
            case .relay: relay
            case .directUpgrade: relay && directUpgrade
            default: true
            }
        }
    }

    /// What PX-1 may do at this peer's visibility.
    var discoveryPolicy: DiscoveryPolicy {
        DiscoveryPolicy(visibility: visibility, enabled: discovery.enabled, stealthAllowlist: discovery.stealthAllowlist)
    }

    /// The limit a listener applies, after resolving ``RateLimit/automatic`` for the visibility.
    var effectiveRateLimit: ConnectionRateLimit? {
        switch rateLimit {
        case .off: nil
        case .custom(let limit): limit
        case .automatic:
            switch visibility {
            case .public: nil
            case .private: .private
            case .stealth: .stealth
            }
        }
    }
}
