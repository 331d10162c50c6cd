import SNaP2PSession
import SNaP2PWire

/// Deterministic randomness for the machine under test (SplitMix64), so a saved input replays.
struct FuzzRandomSource: RandomSource {
    var state: UInt64

    mutating func randomBytes(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z.littleEndian) { bytes += $0 }
        }
        return Array(bytes.prefix(count))
    }
}

/// Admits exactly one token and counts the KNOCKs it admitted.
final class CountingTokenVerifier: InviteTokenVerifier, @unchecked Sendable {
    // Unchecked: a fuzz input runs on one thread, and the verifier lives only for that input.
    let token: [UInt8]
    private(set) var admitted = 0

    init(token: [UInt8]) {
        self.token = token
    }

    func redeem(inviteToken presented: [UInt8]) -> Bool {
        guard presented == token else { return false }
        admitted += 1
        return true
    }
}

/// Checks one batch of actions from a `HandshakeStateMachine`: at most one terminal action
/// (`established` or `close`) and nothing after it; nothing at all but a `close` once finished.
struct ActionLog {
    private(set) var terminal: HandshakeAction?
    private(set) var sent: [[UInt8]] = []

    var established: EstablishedSession? {
        if case .established(let session)? = terminal { return session }
        return nil
    }

    var closeError: HandshakeError? {
        if case .close(let error)? = terminal { return error }
        return nil
    }

    /// Records `actions`, returning the bodies sent in this batch.
    @discardableResult
    mutating func record(_ actions: [HandshakeAction], finished: Bool) -> [[UInt8]] {
        if terminal != nil {
            invariant(actions.count == 1, "\(actions.count) actions after the handshake finished")
            if case .close(let error) = actions.first {
                invariant(error.code == .internalError, "use after finishing gave code \(error.code)")
            } else {
                invariant(false, "output after the handshake finished: \(actions)")
            }
            invariant(finished, "isFinished went back to false")
            return []
        }
        var bodies: [[UInt8]] = []
        for (index, action) in actions.enumerated() {
            switch action {
            case .send(let body):
                bodies.append(body)
            case .established, .close:
                invariant(index == actions.count - 1, "\(action) is followed by \(actions.count - 1 - index) more actions")
                terminal = action
            }
        }
        invariant(finished == (terminal != nil), "isFinished is \(finished) with terminal action \(String(describing: terminal))")
        if case .close(let error)? = terminal, case .framing(.frameTooLarge) = error.reason {
            invariant(error.code == .messageTooLarge, "an oversized frame closed with code \(error.code)")
        }
        sent += bodies
        return bodies
    }
}
