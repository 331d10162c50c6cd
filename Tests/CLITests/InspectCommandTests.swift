import Foundation
import Testing
import TestSupport

/// `snap2p inspect`, run as a separate process on the reference's bytes.
@Suite struct InspectCommandTests {
    static var vector: [String: Any] { Vectors.value(Vectors.reference, "attestation", "mainnet_k1") as! [String: Any] }
    static var serialized: String { vector["serialized"] as! String }
    static var inputs: [String: Any] { vector["inputs"] as! [String: Any] }
    static var issuedAt: Int { inputs["issued_at"] as! Int }
    static var expiresAt: Int { inputs["expires_at"] as! Int }

    static func message(_ name: String) -> String {
        let messages = Vectors.value(Vectors.reference, "wire", "messages") as! [[String: Any]]
        return messages.first { $0["name"] as? String == name }!["cbor"] as! String
    }

    static func inspectJSON(_ arguments: [String], input: String = "") async throws -> (status: Int32, object: [String: Any]) {
        let result = try await SNaP2PExecutable.run(["inspect", "--json"] + arguments, input: input)
        #expect(result.lines.count == 1, "\(result.standardOutput)\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        return (result.status, object)
    }

    /// Every verdict the reference recorded, at its recorded time.
    @Test(arguments: [
        ("verifyAttestationSignature_at_issued_plus_100s", 100, false, nil as String?),
        ("verifyAttestationSignature_other_network", 100, true, "wrong network: mainnet principal, testnet peer"),
        ("verifyAttestation_at_expires_plus_301s", 86_400 + 301, false, "attestation has expired"),
        ("verifyAttestation_at_expires_plus_299s", 86_400 + 299, false, nil),
        ("verifyAttestation_at_issued_minus_301s", -301, false, "attestation is not yet valid (issued in the future)"),
    ])
    func referenceVerdicts(verdict: String, offset: Int, testnet: Bool, error: String?) async throws {
        let referenceValid = (Self.vector[verdict] as! [String: Any])["valid"] as! Bool
        #expect(referenceValid == (error == nil))
        let at = String(Self.issuedAt + offset)
        let (status, object) = try await Self.inspectJSON(["--at", at] + (testnet ? ["--testnet"] : []) + [Self.serialized])
        #expect(object["kind"] as? String == "attestation")
        #expect(object["valid"] as? Bool == referenceValid)
        #expect((status == 0) == referenceValid)
        #expect(object["principal"] as? String == Self.inputs["principal"] as? String)
        #expect(object["node_public_key"] as? String == Self.inputs["node_ed25519_public_key"] as? String)
        #expect(object["issued_at"] as? Int == Self.issuedAt)
        #expect(object["expires_at"] as? Int == Self.expiresAt)
        #expect(object["nonce"] as? String == Self.inputs["nonce"] as? String)
        #expect(object["checked_at"] as? Int == Self.issuedAt + offset)
        if let error {
            #expect(object["error"] as? String == error)
            #expect(object["error_code"] as? Int == (error.contains("expired") ? 7 : 6))
        } else {
            #expect(object["error"] is NSNull)
            #expect(object["error_code"] is NSNull)
        }
    }

    @Test func textReportNamesFieldsAndVerdict() async throws {
        let valid = try await SNaP2PExecutable.run(["inspect", "--at", String(Self.issuedAt + 100), Self.serialized])
        #expect(valid.status == 0, "\(valid.standardError)")
        #expect(valid.standardOutput.contains("stacks:SP1C7S6ZWGYM3F82PYWBC5YEYH4DDQH3CJ1V94MBC"))
        #expect(valid.standardOutput.contains("577faef0060dfd00c039272bc6fe7c42689ce16db47b6fc2aa41d19819ffa936"))
        #expect(valid.lines.last?.hasPrefix("VALID at \(Self.issuedAt + 100)") == true)

        let expired = try await SNaP2PExecutable.run(["inspect", "--at", String(Self.expiresAt + 301), Self.serialized])
        #expect(expired.status != 0)
        #expect(expired.lines.last?.contains("INVALID") == true)
        #expect(expired.lines.last?.contains("7 ATTESTATION_EXPIRED") == true)
    }

    @Test func readsHexFromStandardInputToleratingWhitespace() async throws {
        var wrapped = ""
        for (index, character) in Self.serialized.enumerated() {
            wrapped.append(character)
            if index % 64 == 63 { wrapped += "\n  " }
        }
        let (status, object) = try await Self.inspectJSON(["--at", String(Self.issuedAt), "-"], input: " \t" + wrapped + "\n\n")
        #expect(status == 0)
        #expect(object["valid"] as? Bool == true)
    }

    @Test func defaultTimeIsNowSoTheOldReferenceAttestationHasExpired() async throws {
        let (status, object) = try await Self.inspectJSON([Self.serialized])
        #expect(status != 0)
        #expect(object["error"] as? String == "attestation has expired")
    }

    @Test func malformedAttestationsAreReportedNotCrashedOn() async throws {
        let truncated = String(Self.serialized.dropLast(20))
        let (status, object) = try await Self.inspectJSON([truncated])
        #expect(status != 0)
        #expect(object["kind"] as? String == "unknown")
        #expect(object["valid"] as? Bool == false)
        #expect((object["error"] as? String)?.hasPrefix("not CBOR (") == true)

        let partialMap = "a26176016170617a"  // {"v": 1, "p": "z"}: no "t", so read as an attestation
        let (unsignedStatus, partial) = try await Self.inspectJSON([partialMap])
        #expect(unsignedStatus != 0)
        #expect(partial["kind"] as? String == "attestation")
        #expect((partial["error"] as? String)?.hasPrefix("malformed attestation") == true)
        #expect(partial["principal"] is NSNull)

        let (garbageStatus, garbage) = try await Self.inspectJSON(["00ff00ff"])
        #expect(garbageStatus != 0)
        #expect(garbage["kind"] as? String == "unknown")
        #expect(garbage["valid"] as? Bool == false)
    }

    @Test func badHexIsAClearError() async throws {
        for (input, message) in [("12zz", "not hex: 'z' at offset 2"), ("abc", "not hex: 3 digits, an odd number"), ("  ", "no hex digits")] {
            let result = try await SNaP2PExecutable.run(["inspect", "-"], input: input)
            #expect(result.status != 0)
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
        }
    }

    @Test func knockWithAndWithoutItsFramePrefix() async throws {
        let knock = Self.message("KNOCK")
        let token = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        let (status, object) = try await Self.inspectJSON([knock])
        #expect(status == 0)
        #expect(object["kind"] as? String == "KNOCK")
        #expect(object["type"] as? Int == 0x30)
        #expect(object["token"] as? String == token)
        #expect(object["framed"] as? Bool == false)

        let length = String(format: "%02x", knock.count / 2)
        let (framedStatus, framed) = try await Self.inspectJSON([length + knock])
        #expect(framedStatus == 0)
        #expect(framed["kind"] as? String == "KNOCK")
        #expect(framed["token"] as? String == token)
        #expect(framed["framed"] as? Bool == true)
    }

    @Test func authFailShowsCodeAndReason() async throws {
        let (status, object) = try await Self.inspectJSON([Self.message("AUTH_FAIL_with_reason")])
        #expect(status == 0)
        #expect(object["kind"] as? String == "AUTH_FAIL")
        #expect(object["code"] as? Int == 18)
        #expect((object["reason"] as? String)?.hasPrefix("Invite token required") == true)

        let text = try await SNaP2PExecutable.run(["inspect", Self.message("AUTH_FAIL_no_reason")])
        #expect(text.status == 0)
        #expect(text.lines.first == "AUTH_FAIL (t = 0x4)")
        #expect(text.standardOutput.contains("6 ATTESTATION_INVALID"))
    }

    @Test func authMessageAttestationIsVerifiedToo() async throws {
        let auth = Self.message("AUTH")
        let (status, object) = try await Self.inspectJSON(["--at", String(Self.issuedAt + 100), auth])
        #expect(status == 0)
        #expect(object["kind"] as? String == "AUTH")
        #expect(object["valid"] as? Bool == true)
        let nested = try #require(object["attestation"] as? [String: Any])
        #expect(nested["principal"] as? String == Self.inputs["principal"] as? String)

        let (expiredStatus, expired) = try await Self.inspectJSON(["--at", String(Self.expiresAt + 301), auth])
        #expect(expiredStatus != 0)
        #expect(expired["valid"] as? Bool == false)
        #expect(expired["error"] as? String == "attestation has expired")
    }
}
