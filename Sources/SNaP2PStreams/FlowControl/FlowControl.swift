/// The `fc1` extension: per-stream credit windows carried by WINDOW_UPDATE (`t` 0x13).
/// The reference has no flow control, so it is used only when both HELLOs advertise `fc1`;
/// docs/FLOW-CONTROL.md describes it.
public enum FlowControl {
    /// The HELLO capability flag that announces the extension.
    public static let capability = "fc1"

    /// The credit each side holds for a new stream, in both directions. Fixed by the extension,
    /// not negotiated, so data may follow OPEN_STREAM at once.
    public static let initialWindowSize = 256 * 1024
}

/// Local flow-control policy: how far receive windows may grow. Only the receiving side's
/// choice, so nothing here needs to match the peer.
public struct FlowControlConfiguration: Sendable, Hashable {
    /// The largest window one stream may grow to.
    public var maximumWindowSize: Int
    /// The most credit all streams together may hold, which bounds the memory a session can
    /// make us buffer: auto-tuning stops growing windows once the sum reaches it.
    public var sessionWindowBudget: Int
    /// Whether windows grow for readers that keep up (see ``InboundWindow``).
    public var isAutoTuningEnabled: Bool

    /// Defaults: 32 MiB per stream (a 50 ms round trip at ~600 MB/s), 64 MiB per session, auto-tuning on.
    public init(
        maximumWindowSize: Int = 32 * 1024 * 1024,
        sessionWindowBudget: Int = 64 * 1024 * 1024,
        isAutoTuningEnabled: Bool = true
    ) {
        self.maximumWindowSize = max(maximumWindowSize, FlowControl.initialWindowSize)
        self.sessionWindowBudget = sessionWindowBudget
        self.isAutoTuningEnabled = isAutoTuningEnabled
    }
}
