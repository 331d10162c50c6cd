import Crypto
import SNaP2PIdentity
import SNaP2PWire

/// `NodeKeyAttestation(serialized:)` and `verify(at:network:)` on raw bytes (what AUTH carries).
///
/// Checks: input over the size limit is refused before it is decoded; allocation stays
/// proportional to the input; a decoded attestation re-serializes to bytes that decode to it, and a
/// canonical input with exactly the v1 fields re-serializes to itself (the signature covers the
/// re-encoding); `verify` agrees with an independent statement of the rules at times around the
/// validity window, on both networks; the node-key binding accepts exactly the Montgomery form.
enum AttestationTarget {
    static let target = FuzzTarget("attestation", dictionary: "cbor", maximumLength: 5000, prepare: Identities.prepare) { input in
        let limit = input.count > NodeKeyAttestation.maximumSerializedLength ? 1024 : CBORTarget.allocationLimit(input.count)
        let decoded = withAllocationLimit(limit, "NodeKeyAttestation(serialized:) of \(input.count) bytes") {
            Result { () throws(AttestationError) in try NodeKeyAttestation(serialized: input) }
        }
        guard case .success(let attestation) = decoded else { return }
        invariant(input.count <= NodeKeyAttestation.maximumSerializedLength, "decoded \(input.count) bytes, over the limit")

        let serialized = attestation.serialized()
        let again = Result { () throws(AttestationError) in try NodeKeyAttestation(serialized: serialized) }
        invariant(again == .success(attestation), "serialized() does not decode to the same attestation: \(again)")
        if let item = try? CBOR.decode(input), item.encoded() == input, item.map?.count == 8 {
            invariant(serialized == input, "a canonical v1 attestation re-serializes to other bytes")
        }
        checkVerify(attestation)
        checkBinding(attestation)
    }

    /// Compares `verify` with ``expectedVerification(_:at:network:)`` at the edges of the window.
    static func checkVerify(_ attestation: NodeKeyAttestation, extraTimes: [UInt64] = []) {
        let skew = NodeKeyAttestation.clockSkewTolerance
        let ts = attestation.issuedAt
        let exp = attestation.expiresAt
        // Not `.max` itself: there `verify` saturates `exp + skew` and calls an attestation expiring
        // within the last 5 minutes of the 64-bit range expired, a clock no verifier has.
        let times: [UInt64] = ([
            0, .max, ts, ts &- skew &- 1, ts &- skew, ts &+ skew, exp, exp &+ skew &- 1, exp &+ skew, exp &+ skew &+ 1,
        ] + extraTimes).map { min($0, .max - 1) }
        let signatureMatches = signatureMatchesPrincipal(attestation)
        for now in times {
            for network in StacksNetwork.allCases {
                let result = Result { () throws(AttestationError) in try attestation.verify(at: now, network: network) }
                let actual = Verification(result)
                let expected = expectedVerification(attestation, at: now, network: network, signatureMatches: signatureMatches)
                invariant(actual == expected, "verify(at: \(now), \(network)) gave \(actual), the rules say \(expected)")
                if case .failure(let error) = result {
                    let code: ProtocolErrorCode = error == .expired ? .attestationExpired : .attestationInvalid
                    invariant(error.protocolErrorCode == code, "\(error) maps to code \(error.protocolErrorCode)")
                }
            }
        }
    }

    /// The outcome of `verify`, with the text of `malformed` left out.
    enum Verification: Equatable, CustomStringConvertible {
        case accepted(Principal)
        case wrongDomain, malformed, unsupportedVersion, notYetValid, expired, badSignature, wrongNetwork

        init(_ result: Result<Principal, AttestationError>) {
            switch result {
            case .success(let principal): self = .accepted(principal)
            case .failure(.wrongDomain): self = .wrongDomain
            case .failure(.malformed): self = .malformed
            case .failure(.unsupportedVersion): self = .unsupportedVersion
            case .failure(.notYetValid): self = .notYetValid
            case .failure(.expired): self = .expired
            case .failure(.badSignature): self = .badSignature
            case .failure(.wrongNetwork): self = .wrongNetwork
            }
        }

        var description: String {
            switch self {
            case .accepted(let principal): "accepted \(principal)"
            case .wrongDomain: "wrongDomain"
            case .malformed: "malformed"
            case .unsupportedVersion: "unsupportedVersion"
            case .notYetValid: "notYetValid"
            case .expired: "expired"
            case .badSignature: "badSignature"
            case .wrongNetwork: "wrongNetwork"
            }
        }
    }

    /// The rules of PROTOCOL.md §5, in their order, with the window arithmetic written without
    /// clamping: issued no later than now + skew, expiring later than now - skew.
    static func expectedVerification(
        _ attestation: NodeKeyAttestation,
        at now: UInt64,
        network: StacksNetwork,
        signatureMatches: Bool
    ) -> Verification {
        let skew = NodeKeyAttestation.clockSkewTolerance
        guard attestation.domain == NodeKeyAttestation.domain else { return .wrongDomain }
        guard attestation.nonce.count >= 16, attestation.nonce.count <= 32 else { return .malformed }
        if attestation.issuedAt > skew, attestation.issuedAt - skew > now { return .notYetValid }
        if now >= skew, attestation.expiresAt <= now - skew { return .expired }
        guard !attestation.principal.address.version.isMultiSig else { return .malformed }
        guard signatureMatches else { return .badSignature }
        guard attestation.principal.network == network else { return .wrongNetwork }
        return .accepted(attestation.principal)
    }

    /// Recovers the signer from the map rebuilt here and compares its hash160 with the principal's.
    static func signatureMatchesPrincipal(_ attestation: NodeKeyAttestation) -> Bool {
        var fields = AttestationFields(
            principal: attestation.principal, nodePublicKey: attestation.nodePublicKey,
            issuedAt: attestation.issuedAt, expiresAt: attestation.expiresAt, nonce: attestation.nonce)
        fields.domain = attestation.domain
        guard let signer = try? attestation.signature.recoverPublicKey(messageHash: fields.messageHash) else { return false }
        return hash160(signer.bytes) == attestation.principal.address.hash160
    }

    /// `binds` accepts the Montgomery form of the node key and nothing else.
    static func checkBinding(_ attestation: NodeKeyAttestation) {
        guard let montgomery = try? NodeKey.montgomeryPublicKey(fromEd25519: attestation.nodePublicKey) else {
            invariant(!attestation.binds(noiseStaticKey: [UInt8](repeating: 0, count: 32)), "a key without a Montgomery form binds")
            return
        }
        invariant(montgomery.count == 32, "Montgomery key of \(montgomery.count) bytes")
        invariant(attestation.binds(noiseStaticKey: montgomery), "the Montgomery form does not bind")
        var other = montgomery
        other[0] ^= 1
        invariant(!attestation.binds(noiseStaticKey: other), "another key binds")
        invariant(!attestation.binds(noiseStaticKey: montgomery + [0]), "a 33-byte key binds")
        invariant(!attestation.binds(noiseStaticKey: []), "an empty key binds")
    }
}

/// Attestations signed by a real wallet over fuzz-chosen fields, so `verify` is exercised past
/// the signature check (raw bytes almost never carry a valid signature).
///
/// Checks: decoding succeeds exactly when the fields are well-formed (canonical principal, 64 hex
/// digits of node key, v1, 65-byte signature with recovery id 0-3); `verify` gives what the rules
/// say, given whether the signature was left intact and made by the principal's key; a node key
/// derived from a seed binds to that seed's X25519 Noise key.
enum SignedAttestationTarget {
    static let target = FuzzTarget("attestation-signed", prepare: Identities.prepare) { bytes in
        var input = FuzzInput(bytes)
        let signerKey = input.bool() ? Identities.walletKeyB : Identities.walletKeyA
        let otherKey = signerKey.publicKey == Identities.walletKeyA.publicKey ? Identities.walletKeyB : Identities.walletKeyA
        let network: StacksNetwork = input.bool() ? .testnet : .mainnet
        let signer = Identities.wallet(signerKey, network)

        // The principal claimed, and whether it is the signer's own.
        var principalText = signer.principal.description
        var wellFormed = true
        switch input.int(in: 0...5) {
        case 1:
            principalText = Identities.wallet(otherKey, network).principal.description
        case 2:
            let version: StacksAddress.Version = network == .mainnet ? .mainnetMultiSig : .testnetMultiSig
            principalText = Principal(address: try! StacksAddress(version: version, hash160: signer.principal.address.hash160)).description
        case 3:
            principalText = principalText.lowercased()
            wellFormed = false
        case 4:
            principalText = String(decoding: input.lengthPrefixedBytes(maximum: 64), as: UTF8.self)
            if let parsed = try? Principal(principalText) {
                wellFormed = parsed.description == principalText
            } else {
                wellFormed = false
            }
        default:
            break
        }

        // The node key, and the X25519 key it must bind to when it comes from a seed.
        var nodeKeyText: String
        var expectedMontgomery: [UInt8]?
        switch input.int(in: 0...3) {
        case 1:
            nodeKeyText = Hex.encode(input.paddedBytes(32))
        case 3:
            // A writer that prints hex in upper case (found by this target: it used to decode).
            nodeKeyText = Hex.encode(Identities.nodeKeyB.publicKey).uppercased()
            wellFormed = false
        case 2:
            nodeKeyText = String(decoding: input.lengthPrefixedBytes(maximum: 70), as: UTF8.self)
            // The signed map is rebuilt with lowercase hex, so nothing else is well-formed.
            let lowercaseHex = nodeKeyText.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
            wellFormed = wellFormed && nodeKeyText.utf8.count == 64 && lowercaseHex
        default:
            let nodeKey = try! NodeKey(seed: input.paddedBytes(32))
            nodeKeyText = Hex.encode(nodeKey.publicKey)
            expectedMontgomery = Array(nodeKey.noiseStaticKey.publicKey.rawRepresentation)
        }

        let issuedAt = time(&input, around: Identities.now)
        let expiresAt = time(&input, around: issuedAt &+ NodeKeyAttestation.defaultValidity)
        var fields = AttestationFields(
            principal: signer.principal, nodePublicKey: [], issuedAt: issuedAt, expiresAt: expiresAt,
            nonce: [UInt8](repeating: 0xa5, count: input.int(in: 0...40)))
        fields.principal = principalText
        fields.nodePublicKey = nodeKeyText
        switch input.int(in: 0...3) {
        case 1: fields.domain = String(decoding: input.lengthPrefixedBytes(maximum: 40), as: UTF8.self)
        case 2: fields.domain += "\u{0}"
        default: break
        }
        if input.int(in: 0...7) == 7 {
            fields.version = input.uint64()
        }
        if input.bool() {
            fields.extra["zz"] = .text("newer writer")
        }

        // The signature: by the signer, by the other wallet, or altered so it matches no key.
        var signature = fields.signature(by: signer)
        var signingKey: Secp256k1.PrivateKey? = signerKey
        switch input.int(in: 0...4) {
        case 1:
            signature[input.int(in: 0...63)] ^= 1 << UInt8(input.int(in: 0...7))
            signingKey = nil
        case 2:
            signature[64] ^= 1
            signingKey = nil
        case 3:
            signature[64] = UInt8(input.int(in: 4...255))
            wellFormed = false
        case 4:
            signature = fields.signature(by: Identities.wallet(otherKey, network))
            signingKey = otherKey
        default:
            break
        }

        let serialized = fields.serialized(signature: signature)
        let decoded = Result { () throws(AttestationError) in try NodeKeyAttestation(serialized: serialized) }
        let versionOK = fields.version == 1
        switch decoded {
        case .failure(.unsupportedVersion(let version)):
            invariant(!versionOK && version == fields.version, "refused version \(version) of \(fields.version)")
            return
        case .failure(let error):
            invariant(!(wellFormed && versionOK), "well-formed attestation refused: \(error)")
            return
        case .success(let attestation):
            invariant(wellFormed && versionOK, "malformed fields decoded: principal \(principalText), npk \(nodeKeyText)")
            invariant(attestation.serialized() == serialized || !fields.extra.isEmpty, "re-serialization differs")

            // A genuine signature matches when the principal's hash160 is the signing key's.
            let matches = signingKey.map { hash160($0.publicKey.bytes) == attestation.principal.address.hash160 } ?? false
            invariant(
                AttestationTarget.signatureMatchesPrincipal(attestation) == matches,
                "signature check gave \(!matches) for a signature \(signingKey == nil ? "altered" : "made") by \(String(describing: signingKey?.publicKey))")
            let verifyAt = time(&input, around: input.bool() ? issuedAt : expiresAt)
            AttestationTarget.checkVerify(attestation, extraTimes: [verifyAt, Identities.now])
            AttestationTarget.checkBinding(attestation)
            if let expectedMontgomery {
                invariant(attestation.binds(noiseStaticKey: expectedMontgomery), "a seed's node key does not bind to its Noise key")
            }
        }
    }

    /// A time near `base`, or one of the edges of the 64-bit range.
    static func time(_ input: inout FuzzInput, around base: UInt64) -> UInt64 {
        switch input.int(in: 0...7) {
        case 0: base
        case 1: 0
        case 2: .max
        case 3: input.uint64()
        default: base &+ UInt64(bitPattern: Int64(input.int(in: -1000...1000)))
        }
    }
}
