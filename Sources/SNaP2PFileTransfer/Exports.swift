import SNaP2PFileProtocol

// The `file-1` protocol types an app names, re-exported one by one so `import SNaP2PFileTransfer`
// is enough; the pure module behind them (no I/O) is what the fuzz target and unit tests drive.

/// A sender's header: name, size, SHA-256.
public typealias FileOffer = SNaP2PFileProtocol.FileOffer
/// A receiver's answer: accept from an offset, or refuse.
public typealias FileAnswer = SNaP2PFileProtocol.FileAnswer
/// A receiver's last message: verified, or why not.
public typealias FileTrailer = SNaP2PFileProtocol.FileTrailer
/// A refusal's or failure's code.
public typealias FileTransferReason = SNaP2PFileProtocol.FileTransferReason
/// A code with an optional sentence for people.
public typealias FileTransferRefusal = SNaP2PFileProtocol.FileTransferRefusal
/// How the other side broke the `file-1` protocol.
public typealias FileTransferProtocolError = SNaP2PFileProtocol.FileTransferProtocolError
/// The protocol's label, version and limits.
public typealias FileTransferProtocol = SNaP2PFileProtocol.FileTransferProtocol
/// The sender's side of a `file-1` stream, without I/O.
public typealias FileSendingStateMachine = SNaP2PFileProtocol.FileSendingStateMachine
/// The receiver's side of a `file-1` stream, without I/O.
public typealias FileReceivingStateMachine = SNaP2PFileProtocol.FileReceivingStateMachine
/// Offered names made safe to create in a directory, and to print.
public typealias SafeFileName = SNaP2PFileProtocol.SafeFileName
