import SNaP2PWire

extension RelayProtocolError: FramedMessageError {}

extension RelayMessage: FramedMessage {
    /// ``RelayProtocol/maximumMessageLength``.
    public static var maximumMessageLength: Int { RelayProtocol.maximumMessageLength }
}

/// Cuts `relay-1` messages out of a stream's chunks; after the last one, `takeRemainder()` hands
/// over the bytes that followed it: the relayed session's.
public typealias RelayMessageReader = FramedMessageReader<RelayMessage>

/// Cuts `upgrade-1` messages out of a stream's chunks.
public typealias UpgradeMessageReader = FramedMessageReader<UpgradeMessage>
