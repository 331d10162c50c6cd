import SNaP2PWire
import Testing
import TestSupport

@Suite struct ControlMessageTests {
    @Test func everyMessageRoundTrips() throws {
        for message in ReferenceMessage.samples {
            #expect(try ControlMessage.decode(message.encoded()) == message)
            #expect(message.cbor.encoded() == message.encoded())
        }
    }

    @Test func windowUpdateIsLaidOutAsDocumented() throws {
        // {n, sid, t} in plain key order; t = 0x13.
        let message = ControlMessage.windowUpdate(streamID: 5, credit: 262_144)
        #expect(message.encoded().hex == "a3616e1a000400006373696405617413")
        #expect(try ControlMessage.decode([UInt8](hex: "a3616e1a000400006373696405617413")) == message)
    }

    @Test func streamDataFastPathMatchesTheGenericEncoder() throws {
        let sizes = [0, 1, 23, 24, 255, 256, 65535, 65536, 70000]
        let streamIDs: [UInt64] = [0, 23, 24, 1000, 4_294_967_296, .max]
        for size in sizes {
            let data = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            for streamID in streamIDs {
                for fin in [false, true] {
                    let generic = CBOR.map(
                        ["t": .unsigned(0x12), "sid": .unsigned(streamID), "d": .bytes(data)]
                            .merging(fin ? ["f": .bool(true)] : [:]) { $1 }
                    ).encoded()
                    #expect(ControlMessage.streamData(streamID: streamID, data: data, fin: fin).encoded() == generic)

                    var fromArray: [UInt8] = [0xee]
                    ControlMessage.encodeStreamData(streamID: streamID, data: data, fin: fin, into: &fromArray)
                    #expect(fromArray == [0xee] + generic)

                    var fromSlice: [UInt8] = []
                    let padded = [9, 9] + data + [9]
                    ControlMessage.encodeStreamData(streamID: streamID, data: padded[2..<2 + size], fin: fin, into: &fromSlice)
                    #expect(fromSlice == generic)

                    var fromPointer: [UInt8] = []
                    data.withUnsafeBytes {
                        ControlMessage.encodeStreamData(streamID: streamID, data: $0, fin: fin, into: &fromPointer)
                    }
                    #expect(fromPointer == generic)
                }
            }
        }
    }

    @Test func optionalFieldsAreOmittedAndEmptyTextReadsAsAbsent() throws {
        #expect(ControlMessage.openStream(streamID: 2, label: "").encoded() == ControlMessage.openStream(streamID: 2, label: nil).encoded())
        #expect(ControlMessage.error(code: .timeout, reason: "").encoded().hex == "a26265630d617418ff")
        #expect(ControlMessage.closeStream(streamID: 3, code: .ok).encoded().hex == "a3626563006373696403617411")
        #expect(ControlMessage.streamData(streamID: 0, data: [0x78], fin: false).encoded().hex == "a3616441786373696400617412")
        // Written by someone else: empty label, null reason, explicit f: false.
        let emptyLabel = CBOR.map(["t": .unsigned(0x10), "sid": .unsigned(2), "l": .text("")]).encoded()
        #expect(try ControlMessage.decode(emptyLabel) == .openStream(streamID: 2, label: nil))
        let nullReason = CBOR.map(["t": .unsigned(0x04), "ec": .unsigned(6), "r": .null]).encoded()
        #expect(try ControlMessage.decode(nullReason) == .authFail(code: .attestationInvalid, reason: nil))
        let finFalse = CBOR.map(["t": .unsigned(0x12), "sid": .unsigned(0), "d": .bytes([]), "f": .bool(false)]).encoded()
        #expect(try ControlMessage.decode(finFalse) == .streamData(streamID: 0, data: [], fin: false))
    }

    @Test func unknownKeysAreIgnoredAndUnknownTypesReported() throws {
        for message in ReferenceMessage.samples {
            guard case .map(var entries) = message.cbor else { Issue.record("not a map"); continue }
            entries["zz"] = .map(["nested": .array([.text("future")])])
            entries["a0"] = .negative(5)
            #expect(try ControlMessage.decode(CBOR.map(entries).encoded()) == message)
        }
        #expect(throws: ControlMessageDecodingError.unknownType(0x14)) {
            try ControlMessage.decode(CBOR.map(["t": .unsigned(0x14)]).encoded())
        }
        #expect(throws: ControlMessageDecodingError.unknownType(.max)) {
            try ControlMessage.decode(CBOR.map(["t": .unsigned(.max), "x": .null]).encoded())
        }
    }

    @Test func everyFieldIsTypeChecked() throws {
        let wrongValues: [CBOR] = [.unsigned(1), .negative(0), .bytes([1]), .text("x"), .array([]), .map([:]), .bool(true), .null]
        for message in ReferenceMessage.samples {
            guard case .map(let entries) = message.cbor else { Issue.record("not a map"); continue }
            for (key, original) in entries {
                for wrong in wrongValues where !sameKind(wrong, original) {
                    var mutated = entries
                    mutated[key] = wrong
                    let bytes = CBOR.map(mutated).encoded()
                    let result = Result { () throws(ControlMessageDecodingError) in try ControlMessage.decode(bytes) }
                    switch result {
                    case .success(let decoded):
                        // Only optional fields may take null (read as absent).
                        #expect(wrong == .null && ["r", "l", "ec", "f"].contains(key), "\(message) \(key)=\(wrong) -> \(decoded)")
                    case .failure(let error):
                        #expect(error == .invalidField(key), "\(message) \(key)=\(wrong)")
                    }
                }
                var missing = entries
                missing[key] = nil
                let bytes = CBOR.map(missing).encoded()
                let result = Result { () throws(ControlMessageDecodingError) in try ControlMessage.decode(bytes) }
                if case .failure(let error) = result {
                    #expect(error == .missingField(key))
                } else {
                    #expect(["r", "l", "ec", "f"].contains(key), "\(message) without \(key) decoded")
                }
            }
        }
    }

    @Test func valuesOutOfRangeAreRejected() {
        let hello = ReferenceMessage.samples[0].cbor
        for badVisibility: UInt64 in [3, 255, 256, .max] {
            guard case .map(var entries) = hello else { return }
            entries["vis"] = .unsigned(badVisibility)
            #expect(throws: ControlMessageDecodingError.invalidField("vis")) { try ControlMessage.decode(CBOR.map(entries).encoded()) }
        }
        guard case .map(var entries) = hello else { return }
        entries["cap"] = .array([.text("ok"), .unsigned(1)])
        #expect(throws: ControlMessageDecodingError.invalidField("cap")) { try ControlMessage.decode(CBOR.map(entries).encoded()) }
        #expect(throws: ControlMessageDecodingError.notAMap) { try ControlMessage.decode([UInt8](hex: "8100")) }
        #expect(throws: ControlMessageDecodingError.missingField("t")) { try ControlMessage.decode([UInt8](hex: "a0")) }
        #expect(throws: ControlMessageDecodingError.cbor(.truncated)) { try ControlMessage.decode([UInt8]()) }
    }

    private func sameKind(_ a: CBOR, _ b: CBOR) -> Bool {
        switch (a, b) {
        case (.unsigned, .unsigned), (.negative, .negative), (.bytes, .bytes), (.text, .text), (.array, .array),
            (.map, .map), (.bool, .bool), (.null, .null):
            return true
        default:
            return false
        }
    }
}
