import SNaP2PIdentity
import SNaP2PWire

/// One PX-1 message (SPECS §10.1, docs/PX-1.md), as sent on a `px-1` stream.
///
/// On the wire: the control plane's framing and CBOR rules, `varint(length) || canonical CBOR map`
/// with a message `type` and the version `v` = 1. Unknown keys are ignored.
public enum PXMessage: Sendable, Hashable {
    /// `PX_RESOLVE_REQ` (type 1): where does `principal` listen?
    case resolveRequest(ResolveRequest)
    /// `PX_RESOLVE_RESP` (type 2): the answer to the request before it on the stream.
    case resolveResponse(ResolveResponse)
    /// `PX_PUSH` (type 3): a hint, unasked.
    case push(Push)

    /// `PX_RESOLVE_REQ {principal, max_results?}`.
    public struct ResolveRequest: Sendable, Hashable {
        /// The principal asked about.
        public var principal: Principal
        /// At most this many locators in the answer; the answerer also caps it
        /// (``PXLimits/maximumResults``). `nil`: the answerer's cap.
        public var maximumResults: Int?

        /// A request for `principal`'s locators.
        public init(principal: Principal, maximumResults: Int? = nil) {
            self.principal = principal
            self.maximumResults = maximumResults
        }
    }

    /// `PX_RESOLVE_RESP {locators[]}`: empty when the answerer knows nothing (or will not say).
    public struct ResolveResponse: Sendable, Hashable {
        /// Where the principal may listen, best first.
        public var locators: [Locator]

        /// An answer listing `locators`.
        public init(locators: [Locator]) {
            self.locators = locators
        }
    }

    /// `PX_PUSH {principal, locators[], ttl_seconds}`.
    public struct Push: Sendable, Hashable {
        /// Whom the hint is about.
        public var principal: Principal
        /// Where that principal may listen.
        public var locators: [Locator]
        /// How long the hint may be kept, in seconds.
        public var ttlSeconds: UInt64

        /// A hint that `principal` listens at `locators`, good for `ttlSeconds`.
        public init(principal: Principal, locators: [Locator], ttlSeconds: UInt64) {
            self.principal = principal
            self.locators = locators
            self.ttlSeconds = ttlSeconds
        }
    }

    /// The message's `type`.
    public var type: UInt64 {
        switch self {
        case .resolveRequest: 1
        case .resolveResponse: 2
        case .push: 3
        }
    }

    /// The framed message: `varint(length) || canonical CBOR map`.
    public func encoded() -> [UInt8] {
        var fields: [String: CBOR] = ["type": .unsigned(type), "v": .unsigned(PXLimits.version)]
        switch self {
        case .resolveRequest(let request):
            fields["principal"] = .text(request.principal.description)
            if let maximum = request.maximumResults { fields["max_results"] = .unsigned(UInt64(max(0, maximum))) }
        case .resolveResponse(let response):
            fields["locators"] = .array(response.locators.map { .text($0.description) })
        case .push(let push):
            fields["principal"] = .text(push.principal.description)
            fields["locators"] = .array(push.locators.map { .text($0.description) })
            fields["ttl_seconds"] = .unsigned(push.ttlSeconds)
        }
        return Framing.frame(CBOR.map(fields).encoded())
    }

    /// Reads one frame's body (the bytes after the length prefix), checking every field and limit.
    public init(decoding body: [UInt8]) throws(PXProtocolError) {
        guard body.count <= PXLimits.maximumMessageLength else { throw .messageTooLarge(length: body.count) }
        let item: CBOR
        do { item = try CBOR.decode(body) } catch { throw .malformed("not valid CBOR (\(error))") }
        guard let map = item.map else { throw .malformed("not a CBOR map") }
        guard let version = map["v"]?.uint else { throw .malformed("no version \"v\"") }
        guard version == PXLimits.version else { throw .unsupportedVersion(version) }
        guard let type = map["type"]?.uint else { throw .malformed("no message \"type\"") }
        switch type {
        case 1:
            var maximum: Int?
            if let value = map["max_results"] {
                guard let count = value.uint else { throw .malformed("\"max_results\" is not an unsigned integer") }
                maximum = Int(min(count, UInt64(PXLimits.maximumResults)))
            }
            self = .resolveRequest(ResolveRequest(principal: try Self.principal(map), maximumResults: maximum))
        case 2:
            self = .resolveResponse(ResolveResponse(locators: try Self.locators(map)))
        case 3:
            guard let ttl = map["ttl_seconds"]?.uint else { throw .malformed("no unsigned \"ttl_seconds\"") }
            self = .push(Push(principal: try Self.principal(map), locators: try Self.locators(map), ttlSeconds: ttl))
        default:
            throw .unknownType(type)
        }
    }

    private static func principal(_ map: [String: CBOR]) throws(PXProtocolError) -> Principal {
        guard let text = map["principal"]?.text, text.utf8.count <= PXLimits.maximumPrincipalLength else {
            throw .malformed("no text \"principal\" of at most \(PXLimits.maximumPrincipalLength) bytes")
        }
        do { return try Principal(text) } catch { throw .malformed("\"principal\": \(error)") }
    }

    /// Every locator must parse: a peer that sends garbage is not trusted for the rest.
    private static func locators(_ map: [String: CBOR]) throws(PXProtocolError) -> [Locator] {
        guard let items = map["locators"]?.array else { throw .malformed("no array \"locators\"") }
        guard items.count <= PXLimits.maximumLocatorsPerMessage else {
            throw .malformed("\(items.count) locators, more than \(PXLimits.maximumLocatorsPerMessage)")
        }
        var locators: [Locator] = []
        for item in items {
            guard let text = item.text else { throw .malformed("a locator is not text") }
            do { locators.append(try Locator(text)) } catch { throw .malformed("\(error)") }
        }
        return locators
    }
}

/// The limits of the PX-1 wire format, checked before anything is kept.
public enum PXLimits {
    /// The stream label PX-1 runs on.
    public static let streamLabel = "px-1"
    /// Every message's `v`.
    public static let version: UInt64 = 1
    /// The largest message body, checked from the length prefix before the body is buffered.
    public static let maximumMessageLength = 4096
    /// The most locators one response or push may carry.
    public static let maximumLocatorsPerMessage = 8
    /// The most locators an answer gives, whatever `max_results` asks.
    public static let maximumResults = 8
    /// The longest principal text (`stacks:` and a c32 address are about 48 bytes).
    public static let maximumPrincipalLength = 128
}

/// Why a PX-1 message was refused; the `px-1` stream is closed with ``code`` and the session goes on.
public enum PXProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A frame longer than ``PXLimits/maximumMessageLength``.
    case messageTooLarge(length: Int)
    /// A message whose `v` is not 1.
    case unsupportedVersion(UInt64)
    /// A `type` this version does not define.
    case unknownType(UInt64)
    /// Not the message it claims to be.
    case malformed(String)
    /// More requests or pushes than the per-session rate allows.
    case rateLimited
    /// A response where a request was expected, or the like.
    case unexpected(String)

    /// The CLOSE_STREAM code the stream is closed with.
    public var code: ProtocolErrorCode {
        switch self {
        case .messageTooLarge: .messageTooLarge
        case .unsupportedVersion, .unknownType: .versionUnsupported
        case .malformed, .unexpected: .invalidMessage
        case .rateLimited: .rateLimited
        }
    }

    public var description: String {
        switch self {
        case .messageTooLarge(let length): "a \(length)-byte PX-1 message, more than \(PXLimits.maximumMessageLength)"
        case .unsupportedVersion(let version): "PX-1 version \(version) is not supported"
        case .unknownType(let type): "unknown PX-1 message type \(type)"
        case .malformed(let reason): "malformed PX-1 message: \(reason)"
        case .rateLimited: "too many PX-1 messages"
        case .unexpected(let reason): "unexpected PX-1 message: \(reason)"
        }
    }
}
