import SNaP2PNoise

/// Which Noise key schedule a handshake may end on (docs/PROTOCOL-NOTES.md, "Standard Noise").
///
/// The TypeScript reference knows only its own, non-standard schedule; two Swift peers use the
/// standard one. The choice is negotiated inside the handshake, so a party in the middle cannot
/// change it: stripping the dialer's offer makes the handshake fail rather than fall back.
public enum NoiseSchedulePolicy: Sendable, Hashable, CaseIterable {
    /// Offer the standard schedule and use it with every peer that takes it; peers that do not
    /// (the TypeScript reference) get the reference schedule. The default.
    case preferStandard
    /// Standard Noise or no session: a peer that does not speak it is refused with
    /// `VERSION_UNSUPPORTED`.
    case requireStandard
    /// Behave exactly as the reference: offer nothing, ignore offers, use the reference schedule.
    case referenceOnly

    /// What a dialer puts in message 1; `nil` for an empty payload.
    var offer: NoiseScheduleOffer? {
        self == .referenceOnly ? nil : NoiseScheduleOffer(schedules: [.standard])
    }

    /// The schedules a dialer accepts message 2 under, in the order it tries them.
    var acceptedSchedules: [NoiseKeySchedule] {
        switch self {
        case .preferStandard: [.standard, .reference]
        case .requireStandard: [.standard]
        case .referenceOnly: [.reference]
        }
    }

    /// The listener's choice for what the dialer offered; `nil` when it must refuse the dialer.
    package func schedule(answering offer: NoiseScheduleOffer?) -> NoiseKeySchedule? {
        let offersStandard = offer?.schedules.contains(.standard) ?? false
        switch self {
        case .preferStandard: return offersStandard ? .standard : .reference
        case .requireStandard: return offersStandard ? .standard : nil
        case .referenceOnly: return .reference
        }
    }
}
