/// The credit the peer has granted us on one stream: how many more data bytes we may send.
struct OutboundWindow: Sendable {
    /// Bytes we may still send.
    private(set) var credit = FlowControl.initialWindowSize
    /// A write was cut short by the window; the next grant should wake the writer.
    private var isBlocked = false

    /// Takes up to `wanted` bytes of credit and returns how many were taken.
    mutating func take(upTo wanted: Int) -> Int {
        let taken = min(wanted, credit)
        credit -= taken
        if taken < wanted { isBlocked = true }
        return taken
    }

    /// Adds a WINDOW_UPDATE's credit. Returns whether a blocked writer may now continue;
    /// throws if the total would overflow, which no honest peer can cause.
    mutating func grant(_ increment: UInt64) throws(FlowControlViolation) -> Bool {
        guard increment <= UInt64(Int.max - credit) else { throw .creditOverflow }
        guard increment > 0 else { return false }
        credit += Int(increment)
        defer { isBlocked = false }
        return isBlocked
    }
}

/// The peer broke the `fc1` rules on a stream; the stream is reset.
enum FlowControlViolation: Error {
    /// It sent more data than the credit we granted.
    case windowExceeded
    /// Its grants would push our credit past `Int.max`.
    case creditOverflow
}
