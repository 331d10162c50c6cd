/// One open stream, as the multiplexer tracks it.
struct StreamState: Sendable {
    /// We sent fin: no more writes.
    var isLocalFinished = false
    /// The peer sent fin: no more data will arrive.
    var isRemoteFinished = false
    /// Data handed to the application but not yet reported consumed.
    var backlog = 0
    /// The peer's credit for our writes; nil without flow control.
    var outbound: OutboundWindow?
    /// Our credit for the peer's writes; nil without flow control.
    var inbound: InboundWindow?

    init(flowControl: Bool) {
        if flowControl {
            outbound = OutboundWindow()
            inbound = InboundWindow()
        }
    }

    /// Both directions are finished and the application has every byte: the stream can go.
    var isComplete: Bool { isLocalFinished && isRemoteFinished && backlog == 0 }
}
