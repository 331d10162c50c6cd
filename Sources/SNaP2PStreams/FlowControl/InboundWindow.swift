/// The credit we have granted the peer on one stream, and when to grant more.
///
/// Like swift-nio-ssh's `ChildChannelWindowManager`: the peer's remaining credit plus the bytes
/// the application has not consumed yet never exceed the window; once the application consumes
/// enough that this falls to half the window, the difference goes back as one WINDOW_UPDATE.
/// Updates are thus at least half a window apart, never one per read.
///
/// Auto-tuning: a fixed window caps throughput at window / round trip (yamux's lesson). With no
/// clock here, growth is judged from the reader instead: when credit is returned while the
/// application's backlog is at most a quarter of the window, the reader keeps up, so the window,
/// not the reader, is what limits the stream; it then grows fourfold, up to a ceiling. A slow reader
/// leaves a backlog and keeps its window, so memory only grows for streams that drain it.
struct InboundWindow: Sendable {
    /// The current window size.
    private(set) var size = FlowControl.initialWindowSize
    /// Bytes the peer may still send.
    private(set) var remoteCredit = FlowControl.initialWindowSize
    /// How much a window grows at once: four times reaches 8 MiB, what one stream needs over a
    /// 50 ms round trip at 160 MB/s, in three updates (each about a round trip apart while the
    /// window is the limit); doubling took five, and those round trips were most of what one
    /// stream lost against four.
    static let growthFactor = 4

    /// Accounts for received data; more than the granted credit is a violation.
    mutating func receive(_ byteCount: Int) throws(FlowControlViolation) {
        guard byteCount <= remoteCredit else { throw .windowExceeded }
        remoteCredit -= byteCount
    }

    /// Called after the application consumed data, with the bytes still unconsumed.
    /// Returns the credit to send in a WINDOW_UPDATE, or nil when none is due yet.
    /// `growthAllowance` is how much the window may still grow (0 turns auto-tuning off).
    mutating func creditToReturn(backlog: Int, growthAllowance: Int) -> Int? {
        let available = remoteCredit + backlog
        guard available <= size / 2 else { return nil }
        if backlog <= size / 4 {
            size += min(Self.growthFactor * size - size, max(growthAllowance, 0))
        }
        let increment = size - available
        remoteCredit += increment
        return increment
    }
}
