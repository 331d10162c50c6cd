/// Limits and options of one session's multiplexer.
public struct StreamMultiplexerConfiguration: Sendable, Hashable {
    /// Streams open at once, both sides' together (the reference's default is 100).
    public var maximumConcurrentStreams: Int
    /// The most data bytes in one STREAM_DATA. Bounded chunks keep one stream from holding
    /// the connection for a whole large write, and keep frames far below 16 MiB.
    public var maximumChunkLength: Int
    /// Flow control, or nil when off. Set it only when both HELLOs carried ``FlowControl/capability``.
    public var flowControl: FlowControlConfiguration?

    /// Defaults: 100 streams, 64 KiB chunks, no flow control (what reference peers need).
    public init(
        maximumConcurrentStreams: Int = 100,
        maximumChunkLength: Int = 64 * 1024,
        flowControl: FlowControlConfiguration? = nil
    ) {
        self.maximumConcurrentStreams = maximumConcurrentStreams
        self.maximumChunkLength = max(maximumChunkLength, 1)
        self.flowControl = flowControl
    }
}
