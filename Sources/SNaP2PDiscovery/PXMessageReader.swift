import SNaP2PWire

extension PXProtocolError: FramedMessageError {}

extension PXMessage: FramedMessage {
    /// ``PXLimits/maximumMessageLength``.
    public static var maximumMessageLength: Int { PXLimits.maximumMessageLength }
}

/// Cuts PX-1 messages out of a stream's chunks, refusing a frame longer than
/// ``PXLimits/maximumMessageLength`` from its length prefix alone.
public typealias PXMessageReader = FramedMessageReader<PXMessage>
