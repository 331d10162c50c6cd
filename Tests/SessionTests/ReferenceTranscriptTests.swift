import Crypto
import SNaP2PIdentity
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PNoise
@testable import SNaP2PSession

/// `reference.json` → `transcripts.public`: a whole session recorded from the TypeScript reference
/// with a fixed clock and labelled random draws, replayed frame for frame in both roles.
@Suite struct ReferenceTranscriptTests {
    struct Frame {
        let fromInitiator: Bool
        /// The frame as on the wire (varint length || body).
        let wire: [UInt8]
        let body: [UInt8]
        let plaintext: [UInt8]?
    }

    static var transcript: [String: Any] { Vectors.value(Vectors.reference, "transcripts", "public") as! [String: Any] }
    static let now: UInt64 = 1_700_000_000

    static func hex(_ key: String) -> [UInt8] { [UInt8](hex: transcript[key] as! String) }

    static let frames: [Frame] = (transcript["frames"] as! [[String: Any]]).map { entry in
        let wire = [UInt8](hex: entry["frame"] as! String)
        var decoder = FrameDecoder(maximumFrameLength: FramingLimits.maximumFrameLength)
        decoder.append(wire)
        let body = try! decoder.nextFrame()!
        return Frame(
            fromInitiator: entry["dir"] as! String == "I->R",
            wire: wire,
            body: body,
            plaintext: (entry["plaintext_cbor"] as? String).map { [UInt8](hex: $0) }
        )
    }

    static var handshakeFrameCount: Int { transcript["handshake_frame_count"] as! Int }

    /// The draws of one side, in the order that side makes them (the transcript interleaves both).
    static func draws(_ side: String) -> [[UInt8]] {
        let all = transcript["random_draws_in_order"] as! [[String: Any]]
        return all.filter { ($0["meaning"] as! String).hasPrefix(side) && !($0["meaning"] as! String).contains("attestation") }
            .map { [UInt8](hex: $0["bytes"] as! String) }
    }

    /// One side of the recorded session. The recorded dialer is the reference, which offers no
    /// Noise schedule, so our dialer replays it only as `.referenceOnly`; a listener replays it
    /// under any policy that admits reference peers.
    static func machine(_ role: HandshakeRole, noisePolicy: NoiseSchedulePolicy) throws -> HandshakeStateMachine {
        let index = role == .initiator ? 0 : 1
        let seed = [UInt8](hex: Vectors.value(Vectors.reference, "node_keys", index, "ed25519_private_key") as! String)
        let attestation = try NodeKeyAttestation(serialized: hex(role == .initiator ? "attestation_initiator" : "attestation_responder"))
        let configuration = HandshakeConfiguration(
            role: role,
            nodeKey: try NodeKey(seed: seed),
            attestation: attestation,
            network: .mainnet,
            capabilities: [],  // the reference announces none; we would announce fc1
            noisePolicy: noisePolicy
        )
        let draws = Self.draws(role == .initiator ? "initiator" : "responder")
        return HandshakeStateMachine(configuration: configuration, random: ReplayRandomSource(draws: draws))
    }

    @Test func drawsAreSplitPerSide() {
        #expect(Self.draws("initiator").count == 2)  // ephemeral, HELLO nonce
        #expect(Self.draws("responder").count == 3)  // ephemeral, HELLO nonce, session id
    }

    @Test(arguments: [
        (HandshakeRole.initiator, NoiseSchedulePolicy.referenceOnly),
        (.responder, .preferStandard),
        (.responder, .referenceOnly),
    ])
    func handshakeReplaysFrameForFrame(role: HandshakeRole, noisePolicy: NoiseSchedulePolicy) throws {
        var machine = try Self.machine(role, noisePolicy: noisePolicy)
        let isInitiator = role == .initiator
        var pending = machine.start(now: Self.now).sentFrames
        var established: EstablishedSession?
        for (index, frame) in Self.frames.prefix(Self.handshakeFrameCount).enumerated() {
            if frame.fromInitiator == isInitiator {
                try #require(!pending.isEmpty, "frame \(index) not emitted")
                #expect(pending.removeFirst() == frame.body, "frame \(index)")
            } else {
                #expect(pending.isEmpty, "unexpected frames before \(index)")
                let actions = machine.receive(frame: frame.body, now: Self.now)
                #expect(actions.closeError == nil, "frame \(index): \(String(describing: actions.closeError))")
                pending += actions.sentFrames
                established = actions.established ?? established
            }
        }
        #expect(pending.isEmpty)
        let session = try #require(established)
        #expect(machine.isFinished)

        #expect(session.sessionID == Self.hex("session_id"))
        #expect(session.handshakeHash == Self.hex("initiator_handshake_hash"))
        let initiatorPrincipal = try Principal("stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC")
        let responderPrincipal = try Principal("stacks:SP10J81WVGVB3M4PHQN4Q4G0R8586TBJH948RESDR")
        #expect(session.localPrincipal == (isInitiator ? initiatorPrincipal : responderPrincipal))
        #expect(session.remotePrincipal == (isInitiator ? responderPrincipal : initiatorPrincipal))
        #expect(session.remoteHello.capabilities == [])
        #expect(session.remoteHello.visibility == .public)
        let keys = (session.cipher.ciphers.sender.key.bytes, session.cipher.ciphers.receiver.key.bytes)
        if isInitiator {
            #expect(keys == (Self.hex("initiator_send_key"), Self.hex("initiator_recv_key")))
        } else {
            #expect(keys == (Self.hex("initiator_recv_key"), Self.hex("initiator_send_key")))
        }
        #expect(session.mustWaitForPeerBeforeSending == isInitiator)
        #expect(session.noiseSchedule == .reference)

        // The rest of the session through the handed-over cipher: PING/PONG, OPEN_STREAM,
        // STREAM_DATA (through the data path's encoder), CLOSE_STREAM, in both directions.
        var cipher = session.cipher
        for (index, frame) in Self.frames.enumerated().dropFirst(Self.handshakeFrameCount) {
            let message = try ControlMessage.decode(try #require(frame.plaintext))
            if frame.fromInitiator == isInitiator {
                var wire: [UInt8] = []
                if case .streamData(let streamID, let data, let fin) = message {
                    try cipher.sealStreamDataFrame(streamID: streamID, data: data[...], fin: fin, appendingTo: &wire)
                } else {
                    try cipher.sealFrame(message, appendingTo: &wire)
                }
                #expect(wire == frame.wire, "frame \(index)")
            } else {
                #expect(try cipher.open(frame.body) == message, "frame \(index)")
            }
        }
    }

    @Test func listenerHandsOverBytesThatFollowTheLastHandshakeFrame() throws {
        var listener = try Self.machine(.responder, noisePolicy: .preferStandard)
        _ = listener.start(now: Self.now)
        let fromInitiator = Self.frames.filter(\.fromInitiator)
        // Everything the dialer sent, in as few reads as possible: the last read holds AUTH_OK,
        // then PING, OPEN_STREAM and data, and half of the next frame.
        let handshakeFrames = Self.frames.prefix(Self.handshakeFrameCount).filter(\.fromInitiator)
        for frame in handshakeFrames.dropLast() {
            _ = listener.receive(bytes: frame.wire, now: Self.now)
        }
        let after = fromInitiator.dropFirst(handshakeFrames.count)
        var lastRead = handshakeFrames.last!.wire
        let following = after.prefix(3).flatMap(\.wire) + after.dropFirst(3).first!.wire.prefix(5)
        lastRead += following
        let actions = listener.receive(bytes: lastRead, now: Self.now)
        let session = try #require(actions.established)
        #expect(session.bufferedBytes == following)
        #expect(session.sessionID == Self.hex("session_id"))
    }
}

extension SymmetricKey {
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
