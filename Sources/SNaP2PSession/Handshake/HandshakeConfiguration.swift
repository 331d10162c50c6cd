import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PWire

/// Everything one side brings to a handshake: who it is, what it announces, and whom it admits.
public struct HandshakeConfiguration: Sendable {
    /// The capability flags we announce by default: every one this implementation understands.
    public static let defaultCapabilities = SessionCapability.supported.map(\.rawValue)
    /// How far a HELLO timestamp may be from our clock, either way (PROTOCOL.md §4).
    public static let defaultClockSkewTolerance: UInt64 = 300

    /// Dialer (initiator) or listener (responder).
    public var role: HandshakeRole
    /// The node key: its Ed25519 public key goes into HELLO, its X25519 key into Noise.
    public var nodeKey: NodeKey
    /// Our current attestation of `nodeKey`, sent in AUTH. A long-running peer passes a fresh one
    /// to each new handshake before the old one expires.
    public var attestation: NodeKeyAttestation
    /// The network whose addresses remote attestations must use.
    public var network: StacksNetwork
    /// Announced in HELLO. A listener in `.stealth` demands a KNOCK first.
    public var visibility: Visibility
    /// Announced in HELLO `cap`. The TypeScript reference sends `[]`.
    public var capabilities: [String]
    /// Dialer only: the invite token to KNOCK with before Noise (stealth listeners).
    public var inviteToken: [UInt8]?
    /// Stealth listener only: checks KNOCK tokens. Without one every token is refused.
    public var inviteTokenVerifier: (any InviteTokenVerifier)? {
        get { inviteTokenVerifierBox?.value }
        set { inviteTokenVerifierBox = newValue.map(ExistentialBox.init) }
    }
    /// Who may connect (listener) or be connected to (dialer), after authentication.
    public var authorizationPolicy: any AuthorizationPolicy {
        get { authorizationPolicyBox.value }
        set { authorizationPolicyBox = ExistentialBox(newValue) }
    }
    /// Accepted distance between a HELLO timestamp and our clock, in seconds.
    public var clockSkewTolerance: UInt64
    /// Which Noise key schedule the handshake may end on.
    public var noisePolicy: NoiseSchedulePolicy
    /// Our alias card, sent in AUTH to peers that announce `alias1` as we do.
    public var aliasCard: AliasCard?

    // Boxed so that the configuration, and the session states holding it, stay loadable.
    private var inviteTokenVerifierBox: ExistentialBox<any InviteTokenVerifier>?
    private var authorizationPolicyBox: ExistentialBox<any AuthorizationPolicy>

    /// A configuration with the protocol's defaults: public visibility, `fc1`, allow-all, standard
    /// Noise where the peer offers or takes it.
    public init(
        role: HandshakeRole,
        nodeKey: NodeKey,
        attestation: NodeKeyAttestation,
        network: StacksNetwork,
        visibility: Visibility = .public,
        capabilities: [String] = HandshakeConfiguration.defaultCapabilities,
        inviteToken: [UInt8]? = nil,
        inviteTokenVerifier: (any InviteTokenVerifier)? = nil,
        authorizationPolicy: any AuthorizationPolicy = AllowAllPolicy(),
        clockSkewTolerance: UInt64 = HandshakeConfiguration.defaultClockSkewTolerance,
        noisePolicy: NoiseSchedulePolicy = .preferStandard,
        aliasCard: AliasCard? = nil
    ) {
        self.role = role
        self.nodeKey = nodeKey
        self.attestation = attestation
        self.network = network
        self.visibility = visibility
        self.capabilities = capabilities
        self.inviteToken = inviteToken
        self.inviteTokenVerifierBox = inviteTokenVerifier.map(ExistentialBox.init)
        self.authorizationPolicyBox = ExistentialBox(authorizationPolicy)
        self.clockSkewTolerance = clockSkewTolerance
        self.noisePolicy = noisePolicy
        self.aliasCard = aliasCard
    }
}
