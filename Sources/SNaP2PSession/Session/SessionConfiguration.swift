import SNaP2PStreams

/// Everything one connection's session needs from its peer, fixed when the transport connects.
package struct SessionConfiguration: Sendable {
    /// Identity, announced capabilities, admission policy.
    package var handshake: HandshakeConfiguration
    /// From transport connect to AUTH_OK.
    package var handshakeTimeout: Duration
    /// PING cadence and PONG deadline, in seconds.
    package var keepalive: KeepaliveStateMachine.Configuration
    /// Streams open at once, both sides' together.
    package var maximumStreams: Int
    /// Unread bytes held for a remote without fc1 before reads pause (its only backpressure).
    package var receiveBuffer: Int
    /// Receive-window growth with fc1.
    package var flowControl: FlowControlConfiguration
    /// How long a dialer holds its output after AUTH_OK when the listener stays silent
    /// (PROTOCOL.md §6; a reference listener PINGs at once, so this matters only for silent peers).
    package var holdGracePeriod: Duration

    package init(
        handshake: HandshakeConfiguration,
        handshakeTimeout: Duration = .seconds(30),
        keepalive: KeepaliveStateMachine.Configuration = .init(),
        maximumStreams: Int = 100,
        receiveBuffer: Int = 1 << 20,
        flowControl: FlowControlConfiguration = .init(),
        holdGracePeriod: Duration = .seconds(2)
    ) {
        self.handshake = handshake
        self.handshakeTimeout = handshakeTimeout
        self.keepalive = keepalive
        self.maximumStreams = maximumStreams
        self.receiveBuffer = receiveBuffer
        self.flowControl = flowControl
        self.holdGracePeriod = holdGracePeriod
    }
}

/// The two clocks a session reads, passed in with every input so the machine stays pure: a
/// monotonic one for its timers, and the wall clock that HELLO, attestations and PING carry.
package struct SessionTime: Sendable, Hashable {
    /// Time since an arbitrary fixed point (the transport's monotonic clock).
    package var uptime: Duration
    /// Seconds since 1970.
    package var unixSeconds: UInt64

    package init(uptime: Duration, unixSeconds: UInt64) {
        self.uptime = uptime
        self.unixSeconds = unixSeconds
    }
}
