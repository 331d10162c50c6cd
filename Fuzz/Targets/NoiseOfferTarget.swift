import SNaP2PNoise
import SNaP2PSession

/// `NoiseScheduleOffer(payload:)`: what a listener reads from the plaintext payload of Noise
/// message 1 of any dialer.
///
/// Checks: nothing is read past ``NoiseScheduleOffer/maximumEncodedLength`` or from an empty
/// payload; an offer that decodes re-encodes to a payload that decodes to the same schedules;
/// every policy answers any offer, and only `requireStandard` ever refuses (exactly when the
/// standard schedule is not offered).
enum NoiseOfferTarget {
    static let target = FuzzTarget("noise-offer", dictionary: "cbor", maximumLength: 128) { input in
        let offer = NoiseScheduleOffer(payload: input)
        if input.isEmpty || input.count > NoiseScheduleOffer.maximumEncodedLength {
            invariant(offer == nil, "an offer was read from \(input.count) bytes")
        }
        if let offer {
            let again = NoiseScheduleOffer(payload: offer.encoded())
            invariant(again?.schedules == offer.schedules, "re-encoded offer read back as \(String(describing: again))")
        }
        let offersStandard = offer?.schedules.contains(.standard) ?? false
        for policy in NoiseSchedulePolicy.allCases {
            let answer = policy.schedule(answering: offer)
            switch policy {
            case .preferStandard: invariant(answer == (offersStandard ? .standard : .reference), "prefer answered \(String(describing: answer))")
            case .requireStandard: invariant(answer == (offersStandard ? .standard : nil), "require answered \(String(describing: answer))")
            case .referenceOnly: invariant(answer == .reference, "reference-only answered \(String(describing: answer))")
            }
        }
    }
}
