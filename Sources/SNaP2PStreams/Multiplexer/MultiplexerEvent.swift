import SNaP2PWire

/// What the multiplexer asks of its owner after a received message: hand data to streams,
/// report state changes, and send replies.
package enum MultiplexerEvent: Sendable, Equatable {
    /// The peer opened a stream.
    case streamOpened(StreamID, label: String?)
    /// Data for a stream. Call ``StreamMultiplexer/consumed(_:byteCount:)`` once the application
    /// has taken it, so credit flows back (and the read side can complete).
    case data(StreamID, [UInt8])
    /// The peer finished its write side; no more data will arrive on this stream.
    case remoteFinished(StreamID)
    /// The stream ended in both directions before finishing normally: the peer's CLOSE_STREAM
    /// (its code, nil when it sent none; 16 or 20 when it refused our OPEN_STREAM), or our reset
    /// after the peer broke a rule (our code, sent to the peer in the `send` that follows).
    case reset(StreamID, ProtocolErrorCode?)
    /// A write that the peer's window cut short may continue.
    case windowOpened(StreamID)
    /// A message to send to the peer.
    case send(ControlMessage)
}
