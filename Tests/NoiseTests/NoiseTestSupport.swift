import Crypto
import TestSupport

@testable import SNaP2PNoise

/// Hex bytes at a path inside `reference.json`'s `noise` section.
func referenceNoise(_ path: Any...) -> [UInt8] {
    var node: Any = Vectors.value(Vectors.reference, "noise")
    for step in path { node = Vectors.value(node, step) }
    return [UInt8](hex: node as! String)
}

func x25519Key(_ bytes: [UInt8]) -> Curve25519.KeyAgreement.PrivateKey {
    try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes)
}

extension SymmetricKey {
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// The two sides of the reference transcript's handshake, built from the recorded keys.
func referenceHandshakes(schedule: NoiseKeySchedule = .reference) -> (NoiseXXHandshake, NoiseXXHandshake) {
    let initiator = NoiseXXHandshake(
        role: .initiator,
        schedule: schedule,
        staticKey: x25519Key(referenceNoise("inputs", "initiator_static_x25519_private")),
        ephemeralKey: x25519Key(referenceNoise("inputs", "initiator_ephemeral_private"))
    )
    let responder = NoiseXXHandshake(
        role: .responder,
        schedule: schedule,
        staticKey: x25519Key(referenceNoise("inputs", "responder_static_x25519_private")),
        ephemeralKey: x25519Key(referenceNoise("inputs", "responder_ephemeral_private"))
    )
    return (initiator, responder)
}

/// Runs a whole handshake with empty payloads.
func completedHandshakes() throws -> (NoiseXXHandshake, NoiseXXHandshake) {
    var (initiator, responder) = referenceHandshakes()
    _ = try responder.readMessage(try initiator.writeMessage())
    _ = try initiator.readMessage(try responder.writeMessage())
    _ = try responder.readMessage(try initiator.writeMessage())
    return (initiator, responder)
}
