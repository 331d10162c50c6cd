import Foundation

/// Sizes, rates and times as `send` and `receive` print them: binary units for sizes (what file
/// managers show), decimal MB/s for rates (what network tools show).
enum TransferText {
    /// `0 B`, `999 B`, `1.5 KiB`, `12.3 MiB`, `1.00 GiB`.
    static func bytes(_ count: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: value < 10 && unit >= 2 ? "%.2f %@" : "%.1f %@", value, units[unit])
    }

    /// `312.4 MB/s`.
    static func rate(bytesPerSecond: Double) -> String {
        String(format: "%.1f MB/s", bytesPerSecond / 1e6)
    }

    /// `0:07`, `12:34`, `1:02:03`; `--:--` when unknown.
    static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 360_000 else { return "--:--" }
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }

    /// A bar of `width` cells, `fraction` of them full.
    static func bar(fraction: Double, width: Int) -> String {
        let full = min(width, max(0, Int((fraction * Double(width)).rounded(.down))))
        return String(repeating: "█", count: full) + String(repeating: "░", count: width - full)
    }

}
