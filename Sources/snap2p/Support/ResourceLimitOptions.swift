import ArgumentParser
import SNaP2P

/// `listen`'s resource limits (``ResourceLimits``): how much the listener takes on at once. Over a
/// limit a new connection is closed before any cryptography; existing sessions are untouched.
struct ResourceLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Connections at once, handshaking or established (default 65536, and never more than the open-file limit allows).",
        valueName: "n"))
    var maxSessions: Int?

    @Option(help: ArgumentHelp("Connections at once from one IP address (default: no limit).", valueName: "n"))
    var maxSessionsPerAddress: Int?

    @Option(help: ArgumentHelp(
        "Sessions at once with one principal; one more is closed with RESOURCE_EXHAUSTED after its handshake (default: no limit).",
        valueName: "n"))
    var maxSessionsPerPrincipal: Int?

    @Option(help: ArgumentHelp("Connections still in their handshake at once (default 4096).", valueName: "n"))
    var maxHandshakes: Int?

    @Option(help: ArgumentHelp(
        "Streams a remote may have open at once on one session; one more is refused with STREAM_REFUSED (default 100).",
        valueName: "n"))
    var maxStreamsPerSession: Int?

    @Option(help: ArgumentHelp(
        "MiB of received stream data all sessions together may hold unread; over it, sessions holding some stop "
            + "reading from their sockets until it is read (default 1024).",
        valueName: "MiB"))
    var maxBuffered: Int?

    func validate() throws {
        let values = [
            ("--max-sessions", maxSessions), ("--max-sessions-per-address", maxSessionsPerAddress),
            ("--max-sessions-per-principal", maxSessionsPerPrincipal), ("--max-handshakes", maxHandshakes),
            ("--max-streams-per-session", maxStreamsPerSession), ("--max-buffered", maxBuffered),
        ]
        for (name, value) in values {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1, not \(value)") }
        }
    }

    /// The limits, with the library's defaults where no option is given; total sessions are
    /// capped at what `descriptorRoom` (the open-file limit) allows.
    func limits(descriptorRoom: Int) -> ResourceLimits {
        var limits = ResourceLimits()
        limits.sessions = min(maxSessions ?? limits.sessions, max(1, descriptorRoom))
        if let maxSessionsPerAddress { limits.sessionsPerAddress = maxSessionsPerAddress }
        if let maxSessionsPerPrincipal { limits.sessionsPerPrincipal = maxSessionsPerPrincipal }
        if let maxHandshakes { limits.handshakes = maxHandshakes }
        if let maxBuffered { limits.bufferedBytes = min(maxBuffered, Int.max >> 20) << 20 }
        return limits
    }

    /// Streams per session, the library's default without the option.
    var maximumStreams: Int { maxStreamsPerSession ?? PeerConfiguration().maximumStreams }
}
