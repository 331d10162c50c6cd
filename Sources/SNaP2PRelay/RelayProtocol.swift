import SNaP2PWire

/// Constants and limits of the `relay-1` stream protocol (docs/RELAY.md).
public enum RelayProtocol {
    /// The label of every relay stream: a reservation or connect request to a relay, and the
    /// relay's announcement of an incoming relayed session to a reserved peer. Opened only on
    /// sessions where both sides announced the HELLO capability `relay1`, so a peer without it
    /// (the TypeScript reference) never sees one.
    public static let streamLabel = "relay-1"
    /// Every message's `v`.
    public static let version: UInt64 = 1
    /// The largest message either side accepts, checked from the length prefix before the body is
    /// buffered.
    public static let maximumMessageLength = 1024
    /// The longest `message` a refusal may carry, in bytes of UTF-8.
    public static let maximumMessageTextLength = 512
}
