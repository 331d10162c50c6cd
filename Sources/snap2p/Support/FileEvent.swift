import Foundation

/// One `--json` line of `send` and `receive`: `event` plus the fields that event has (absent
/// fields are left out). Events: ready, connected, offer, accepted, refused, progress, done, error
/// (docs/CLI.md lists the fields of each).
struct FileEvent: Encodable {
    var event: String
    var principal: String?
    var host: String?
    var port: Int?
    var noise: String?
    var handshakeMilliseconds: Double?
    var name: String?
    /// The name the file gets on the receiving side (the offered one made safe).
    var safeName: String?
    var path: String?
    var partial: String?
    var size: UInt64?
    var bytes: UInt64?
    var resumedFrom: UInt64?
    /// `hashing` or `transferring` (progress).
    var phase: String?
    var seconds: Double?
    var megabytesPerSecond: Double?
    var etaSeconds: Double?
    var sha256: String?
    var reason: String?
    var code: String?
    var error: String?
    var hint: String?

    init(_ event: String) {
        self.event = event
    }

    enum CodingKeys: String, CodingKey {
        case event, principal, host, port, noise, name, path, partial, size, bytes, phase, seconds, sha256, reason, code, error, hint
        case handshakeMilliseconds = "handshake_ms"
        case safeName = "safe_name"
        case resumedFrom = "resumed_from"
        case megabytesPerSecond = "mb_per_s"
        case etaSeconds = "eta_seconds"
    }

    /// Prints the event as one line and flushes it.
    func print() {
        try? JSONLines.print(self)
    }
}
