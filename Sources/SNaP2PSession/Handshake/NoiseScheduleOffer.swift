import SNaP2PNoise
import SNaP2PWire

/// The key schedules a dialer offers in the plaintext payload of Noise message 1
/// (docs/PROTOCOL-NOTES.md, "Standard Noise"): the CBOR map `{"noise": [names…]}`, names in the
/// dialer's order of preference. Today's only name is `std1`, the standard Noise schedule, so the
/// offer is the 13 bytes `a1 65 6e6f697365 81 64 73746431`.
///
/// The reference schedule is what every SNaP2P v1 peer speaks and is never named: a listener that
/// finds no offer it understands uses it. The TypeScript reference ignores the payload but still
/// mixes it into the Noise handshake hash on both sides, so an offer altered or stripped in transit
/// makes message 2 fail to authenticate instead of silently downgrading the session.
public struct NoiseScheduleOffer: Sendable, Hashable {
    /// The largest payload read as an offer; a longer one is not looked at.
    public static let maximumEncodedLength = 64
    /// The map key under which the schedule names are listed.
    static let key = "noise"
    /// The name of the standard Noise schedule (HKDF with salt = ck), version 1.
    static let standardName = "std1"

    /// The offered schedules this implementation knows, in the dialer's order of preference.
    public let schedules: [NoiseKeySchedule]

    /// An offer of `schedules`, most preferred first.
    public init(schedules: [NoiseKeySchedule]) {
        self.schedules = schedules
    }

    /// The message-1 payload carrying this offer.
    public func encoded() -> [UInt8] {
        CBOR.map([Self.key: .array(schedules.compactMap(Self.name(of:)).map(CBOR.text))]).encoded()
    }

    /// Reads an offer from a message-1 payload; `nil` when there is none this implementation
    /// understands: an empty payload (every reference dialer), more than
    /// ``maximumEncodedLength`` bytes, or anything but a CBOR map whose `noise` entry is an array.
    /// Names it does not know (later versions, other types) are skipped.
    public init?(payload: [UInt8]) {
        guard !payload.isEmpty, payload.count <= Self.maximumEncodedLength,
              let names = (try? CBOR.decode(payload))?[Self.key]?.array
        else { return nil }
        schedules = names.compactMap { $0.text.flatMap(Self.schedule(named:)) }
    }

    private static func name(of schedule: NoiseKeySchedule) -> String? {
        switch schedule {
        case .standard: standardName
        case .reference: nil
        }
    }

    private static func schedule(named name: String) -> NoiseKeySchedule? {
        name == standardName ? .standard : nil
    }
}
