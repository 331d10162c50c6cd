/// Frame size limits, in bytes of frame body (the length prefix excluded).
public enum FramingLimits {
    /// The protocol's limit for any frame (16 MiB), the reference's `MAX_MESSAGE_SIZE`.
    public static let maximumFrameLength = 16 * 1024 * 1024
    /// The limit before the peer has authenticated (64 KiB): every handshake frame is far smaller,
    /// so an anonymous peer cannot make us buffer 16 MiB.
    public static let unauthenticatedFrameLength = 64 * 1024
}
