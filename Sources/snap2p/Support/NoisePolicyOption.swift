import ArgumentParser
import SNaP2P

/// `--noise`: which Noise key schedule sessions may use (``NoiseSchedulePolicy``).
enum NoisePolicyOption: String, CaseIterable, ExpressibleByArgument {
    case preferStandard = "prefer-standard"
    case requireStandard = "require-standard"
    case referenceOnly = "reference-only"

    /// The help text every command that makes sessions shows for `--noise`.
    static let help = ArgumentHelp(
        "Noise key schedule: prefer-standard (standard with Swift peers, the TypeScript reference's with "
            + "peers that do not offer it), require-standard (refuse those peers) or reference-only.",
        valueName: "policy")

    var policy: NoiseSchedulePolicy {
        switch self {
        case .preferStandard: .preferStandard
        case .requireStandard: .requireStandard
        case .referenceOnly: .referenceOnly
        }
    }
}
