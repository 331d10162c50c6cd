import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PStreams
import SNaP2PWire
import TestSupport

@testable import SNaP2PSession

/// Two ``SessionStateMachine``s connected back to back in memory, with a hand-moved clock: the
/// bytes one leaves in its output reach the other only when a test moves them.
struct SessionPair {
    enum Side {
        case dialer
        case listener
    }

    var dialer: SessionStateMachine
    var listener: SessionStateMachine
    /// Every action each side returned, in order.
    var dialerActions: [SessionAction] = []
    var listenerActions: [SessionAction] = []
    var now = SessionTime(uptime: .seconds(1000), unixSeconds: TestPeer.now)

    init(
        dialerCapabilities: [String] = HandshakeConfiguration.defaultCapabilities,
        listenerCapabilities: [String] = HandshakeConfiguration.defaultCapabilities,
        receiveBuffer: Int = 1 << 20,
        keepalive: KeepaliveStateMachine.Configuration = .init()
    ) async throws {
        func configuration(_ peer: TestPeer, _ role: HandshakeRole, _ capabilities: [String]) -> SessionConfiguration {
            var handshake = peer.configuration(role)
            handshake.capabilities = capabilities
            return SessionConfiguration(handshake: handshake, keepalive: keepalive, receiveBuffer: receiveBuffer)
        }
        dialer = SessionStateMachine(configuration: configuration(try await TestPeer.make(), .initiator, dialerCapabilities))
        listener = SessionStateMachine(configuration: configuration(try await TestPeer.make(), .responder, listenerCapabilities))
    }

    /// Starts both sides and runs the handshake to the end (which also ends the dialer's hold).
    mutating func establish() {
        start()
        exchange()
    }

    /// Both transports connected: the listener waits, the dialer sends its first frame.
    mutating func start() {
        let now = self.now
        run(.listener) { $0.start(now: now, actions: &$1) }
        run(.dialer) { $0.start(now: now, actions: &$1) }
    }

    /// Lets `side`'s timers see the current time.
    mutating func tick(_ side: Side) {
        let now = self.now
        run(side) { $0.tick(now: now, actions: &$1) }
    }

    /// Feeds one side and records what it returns.
    @discardableResult
    mutating func run<Result>(_ side: Side, _ body: (inout SessionStateMachine, inout [SessionAction]) -> Result) -> Result {
        var actions: [SessionAction] = []
        let result: Result
        switch side {
        case .dialer:
            result = body(&dialer, &actions)
            dialerActions += actions
        case .listener:
            result = body(&listener, &actions)
            listenerActions += actions
        }
        return result
    }

    /// The bytes `side` would send now (sealing waiting writes first), removed from its output.
    mutating func output(of side: Side) -> [UInt8] {
        var bytes: [UInt8] = []
        run(side) { machine, actions in
            machine.takeOutput { bytes += $0 }
            while machine.hasWritesReady {
                machine.sealPendingWrites(budget: 1 << 20, actions: &actions)
                machine.takeOutput { bytes += $0 }
            }
        }
        return bytes
    }

    /// Hands `bytes` to `side` as received data.
    mutating func deliver(_ bytes: [UInt8], to side: Side) {
        let now = self.now
        run(side) { machine, actions in
            bytes.withUnsafeBytes { machine.receive($0, now: now, actions: &actions) }
        }
    }

    /// Moves bytes both ways until neither side has anything to send.
    mutating func exchange() {
        while true {
            let toListener = output(of: .dialer)
            if !toListener.isEmpty { deliver(toListener, to: .listener) }
            let toDialer = output(of: .listener)
            if !toDialer.isEmpty { deliver(toDialer, to: .dialer) }
            if toListener.isEmpty && toDialer.isEmpty { return }
        }
    }

    mutating func actions(of side: Side) -> [SessionAction] {
        side == .dialer ? dialerActions : listenerActions
    }

    /// Forgets the recorded actions of both sides.
    mutating func clearActions() {
        dialerActions.removeAll()
        listenerActions.removeAll()
    }
}

/// Short, comparable names for actions, so tests can assert on sequences.
enum Event: Hashable {
    case established(String)
    case opened(StreamID, String?)
    case deliver(StreamID, [UInt8])
    case inboundFinished(StreamID)
    case sealed(StreamID, Int)
    case writeCompleted(WriteToken)
    case writeFailed(WriteToken, StreamEnd)
    case ended(StreamID, StreamEnd)
    case pauseReads
    case resumeReads
    case close(SessionEnd)

    init(_ action: SessionAction) {
        switch action {
        case .established(let info): self = .established(info.features.description)
        case .streamOpened(let id, let label): self = .opened(id, label)
        case .deliver(let id, let bytes): self = .deliver(id, bytes)
        case .inboundFinished(let id): self = .inboundFinished(id)
        case .sealed(let id, let count): self = .sealed(id, count)
        case .writeCompleted(let token): self = .writeCompleted(token)
        case .writeFailed(let token, let end): self = .writeFailed(token, end)
        case .streamEnded(let id, let end): self = .ended(id, end)
        case .pauseReads: self = .pauseReads
        case .resumeReads: self = .resumeReads
        case .close(let end): self = .close(end)
        }
    }
}

extension [SessionAction] {
    var events: [Event] { map(Event.init) }
    /// The events other than `sealed` progress reports.
    var milestones: [Event] { events.filter { if case .sealed = $0 { false } else { true } } }
}
