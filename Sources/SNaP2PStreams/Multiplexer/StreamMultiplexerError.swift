/// Why a local stream operation was refused. Nothing is sent when one is thrown.
public enum StreamMultiplexerError: Error, Equatable, Sendable {
    /// Opening another stream would exceed the concurrent-stream limit.
    case tooManyStreams
    /// Every id of our parity has been used (after 2^63 streams).
    case streamIDsExhausted
    /// No such stream: never opened, already reset, or ended in both directions.
    case unknownStream(StreamID)
    /// Data or fin after this side already finished the stream.
    case alreadyFinished(StreamID)
}
