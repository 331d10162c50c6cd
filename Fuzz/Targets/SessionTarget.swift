import SNaP2PNoise
import SNaP2PSession
import SNaP2PStreams
import SNaP2PWire

/// `SessionStateMachine` after AUTH_OK (with and without fc1), against a peer that holds the real
/// session keys: the fuzzer picks the peer's control messages (streams opened, data with and
/// without fin, window updates, closes, PING, PONG, ERROR, undecodable plaintext, flipped
/// ciphertext), how they are split on the wire, and the application's requests and clock ticks in
/// between. The established pair is built once and copied for every input (both are values).
///
/// Checks: nothing happens after `close` but the refusal of later writes, and no new output leaves;
/// a stream ends once per opening and receives nothing after its end or after its inbound finished;
/// every write token is answered at most once; reads pause and resume in turn; every frame the
/// machine sends decrypts at the peer and is a control message.
enum SessionTarget {
    static let target = FuzzTarget("session", dictionary: "cbor", maximumLength: 8192, prepare: { _ = (flowControlled, plain) }) { bytes in
        var input = FuzzInput(bytes)
        var run = SessionRun(input.bool() ? flowControlled : plain)
        run.execute(&input)
    }

    /// A machine (the listener) and the peer's cipher, just after the handshake.
    struct Established: Sendable {
        var machine: SessionStateMachine
        var peer: SessionCipher
        var now: SessionTime
    }

    static let flowControlled = establish(peerCapabilities: ["fc1"])
    static let plain = establish(peerCapabilities: [])

    private static func establish(peerCapabilities: [String]) -> Established {
        Identities.prepare()
        var now = SessionTime(uptime: .seconds(1000), unixSeconds: Identities.now)
        var machine = SessionStateMachine(configuration: SessionConfiguration(
            handshake: HandshakeConfiguration(
                role: .responder, nodeKey: Identities.nodeKeyA, attestation: HandshakeTarget.attestationA, network: .mainnet
            ),
            receiveBuffer: 64 * 1024
        ))
        var dialer = HandshakeStateMachine(configuration: HandshakeConfiguration(
            role: .initiator, nodeKey: Identities.nodeKeyB, attestation: HandshakeTarget.attestationB, network: .mainnet,
            capabilities: peerCapabilities
        ))
        var actions: [SessionAction] = []
        machine.start(now: now, actions: &actions)
        var dialerActions = dialer.start(now: now.unixSeconds)
        var peer: SessionCipher?
        for _ in 0..<16 where peer == nil || machine.features == nil {
            var toMachine: [UInt8] = []
            for action in dialerActions {
                switch action {
                case .send(let body): toMachine += Framing.frame(body)
                case .established(let session): peer = session.cipher
                case .close(let error): invariant(false, "the scripted handshake failed: \(error)")
                }
            }
            toMachine.withUnsafeBytes { machine.receive($0, now: now, actions: &actions) }
            var fromMachine: [UInt8] = []
            machine.takeOutput { fromMachine += $0 }
            dialerActions = peer == nil ? dialer.receive(bytes: fromMachine, now: now.unixSeconds) : []
            if peer != nil, !fromMachine.isEmpty {
                // The listener's PING after AUTH_OK: keep the peer's receiving nonce in step.
                var frames = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
                frames.append(fromMachine)
                while let frame = try? frames.nextFrame() { _ = try? peer?.open(frame) }
            }
        }
        guard let peer, machine.features != nil else {
            invariant(false, "the scripted handshake did not finish")
            fatalError()
        }
        now.uptime += .seconds(1)
        return Established(machine: machine, peer: peer, now: now)
    }
}

/// One session: the machine, the peer's cipher, and what the checks remember.
struct SessionRun {
    var machine: SessionStateMachine
    var peer: SessionCipher
    var now: SessionTime
    var frames = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
    var openedLocally: [StreamID] = []
    var nextToken: WriteToken = 0
    var answeredTokens: Set<WriteToken> = []
    /// Streams open now (an id may be opened again after its stream ended, as the reference allows).
    var open: Set<StreamID> = []
    var inboundFinished: Set<StreamID> = []
    var closed = false
    var outputTakenAfterClose = false
    var readsPaused = false

    init(_ established: SessionTarget.Established) {
        machine = established.machine
        peer = established.peer
        now = established.now
    }

    static let codes: [ProtocolErrorCode] = [.ok, .streamClosed, .streamRefused, .streamNotFound, .internalError, .invalidMessage, .timeout]

    mutating func execute(_ input: inout FuzzInput) {
        while !input.isExhausted {
            var actions: [SessionAction] = []
            switch input.int(in: 0...11) {
            case 0...4:
                var wire: [UInt8] = []
                let message = peerMessage(&input)
                do {
                    try peer.sealFrame(message, appendingTo: &wire)
                } catch {
                    return
                }
                if input.int(in: 0...31) == 0, wire.count > 1 { wire[input.int(in: 1...(wire.count - 1))] ^= 0x40 }
                deliver(wire, split: &input, actions: &actions)
            case 5:
                deliver(input.lengthPrefixedBytes(maximum: 64), split: &input, actions: &actions)
            case 6:
                if let id = machine.openStream(label: input.bool() ? "fuzz" : nil, actions: &actions) {
                    invariant(open.insert(id).inserted, "stream \(id) opened while open")
                    openedLocally.append(id)
                }
            case 7:
                let token: WriteToken? = input.bool() ? nextToken : nil
                nextToken += 1
                let data = [UInt8](repeating: 0x5a, count: input.int(in: 0...200_000))
                machine.write(data, on: streamID(&input), fin: input.bool(), token: token, actions: &actions)
            case 8:
                machine.consumed(streamID(&input), byteCount: input.int(in: 0...300_000), actions: &actions)
            case 9:
                if input.bool() {
                    machine.closeStream(streamID(&input), code: input.bool() ? input.pick(Self.codes) : nil, actions: &actions)
                } else {
                    machine.streamReleased(streamID(&input), actions: &actions)
                }
            case 10:
                now.uptime += .milliseconds(input.int(in: 0...45_000))
                now.unixSeconds = Identities.now + UInt64(now.uptime.components.seconds - 1000)
                machine.tick(now: now, actions: &actions)
            default:
                switch input.int(in: 0...3) {
                case 0: machine.close(code: input.bool() ? input.pick(Self.codes) : nil, actions: &actions)
                case 1: machine.transportClosed(actions: &actions)
                default: machine.sealPendingWrites(budget: input.int(in: 1...(1 << 20)), actions: &actions)
                }
            }
            check(actions)
            takeOutput()
        }
    }

    /// A stream id the session knows, or one picked from a small range (ids of both parities).
    private func streamID(_ input: inout FuzzInput) -> StreamID {
        if !openedLocally.isEmpty, input.bool() { return input.pick(openedLocally) }
        return StreamID(input.int(in: 0...9))
    }

    private func peerMessage(_ input: inout FuzzInput) -> ControlMessage {
        let id = streamID(&input)
        switch input.int(in: 0...8) {
        case 0: return .openStream(streamID: id, label: input.bool() ? "fuzz" : nil)
        case 1, 2: return .streamData(streamID: id, data: input.lengthPrefixedBytes(maximum: 255), fin: input.bool())
        case 3: return .streamData(streamID: id, data: [UInt8](repeating: 1, count: input.int(in: 0...70_000)), fin: input.bool())
        case 4: return .closeStream(streamID: id, code: input.bool() ? input.pick(Self.codes) : nil)
        case 5: return .windowUpdate(streamID: id, credit: input.bool() ? UInt64(input.int(in: 0...1 << 22)) : input.uint64())
        case 6: return .ping(seq: UInt64(input.int(in: 0...3)), timestamp: Identities.now)
        case 7: return .pong(seq: UInt64(input.int(in: 0...3)), timestamp: Identities.now)
        default: return .error(code: input.pick(Self.codes), reason: input.bool() ? "fuzz" : nil)
        }
    }

    /// Hands `wire` to the machine in pieces the input chooses; delivered bytes are read at once
    /// or left unread, as the input says.
    private mutating func deliver(_ wire: [UInt8], split input: inout FuzzInput, actions: inout [SessionAction]) {
        var start = 0
        while start < wire.count {
            let end = input.bool() ? wire.count : min(wire.count, start + input.int(in: 1...64))
            let now = self.now
            wire[start..<end].withUnsafeBytes { machine.receive($0, now: now, actions: &actions) }
            start = end
        }
        let readNow = input.bool()
        for case .deliver(let id, let bytes) in actions where readNow {
            var more: [SessionAction] = []
            machine.consumed(id, byteCount: bytes.count, actions: &more)
            actions += more
        }
    }

    private mutating func check(_ actions: [SessionAction]) {
        for action in actions {
            if closed {
                if case .writeFailed(let token, .unknown) = action {
                    answer(token)
                    continue
                }
                invariant(false, "\(action) after the session closed")
            }
            switch action {
            case .close:
                closed = true
            case .streamOpened(let id, _):
                invariant(open.insert(id).inserted, "stream \(id) opened while open")
            case .deliver(let id, let bytes):
                invariant(!bytes.isEmpty, "an empty delivery on \(id)")
                invariant(open.contains(id) && !inboundFinished.contains(id), "data for stream \(id) after its end")
            case .inboundFinished(let id):
                invariant(open.contains(id) && inboundFinished.insert(id).inserted, "stream \(id) finished twice")
            case .streamEnded(let id, _):
                invariant(open.remove(id) != nil, "stream \(id) ended while not open")
                inboundFinished.remove(id)
            case .writeCompleted(let token), .writeFailed(let token, _):
                answer(token)
            case .pauseReads:
                invariant(!readsPaused, "reads paused twice")
                readsPaused = true
            case .resumeReads:
                invariant(readsPaused, "reads resumed without a pause")
                readsPaused = false
            case .established:
                invariant(false, "established twice")
            case .sealed(_, let count):
                invariant(count > 0 && count <= 64 * 1024, "a chunk of \(count) bytes")
            }
        }
    }

    private mutating func answer(_ token: WriteToken) {
        invariant(answeredTokens.insert(token).inserted, "write \(token) answered twice")
    }

    /// Every frame the machine sends must open at the peer; after the close, nothing new leaves.
    private mutating func takeOutput() {
        var output: [UInt8] = []
        machine.takeOutput { output += $0 }
        if closed {
            invariant(!outputTakenAfterClose || output.isEmpty, "\(output.count) bytes sent after the close")
            outputTakenAfterClose = true
        }
        frames.append(output)
        while true {
            let frame: [UInt8]?
            do {
                frame = try frames.nextFrame()
            } catch {
                invariant(false, "the machine sent a bad frame: \(error)")
                return
            }
            guard let frame else { return }
            do {
                _ = try peer.open(frame)
            } catch {
                invariant(false, "the peer could not open a frame the machine sent: \(error)")
            }
        }
    }
}
