import SNaP2PDiscovery

/// A `px-1` stream's bytes as a hostile peer sends them: `PXMessageReader` over arbitrary chunks,
/// and what a node keeps of the pushes in its `LocatorCache`.
///
/// Input: a chunking seed, then the stream. Checks: nothing allocated is far larger than one
/// message plus a chunk (the length prefix is checked before buffering); a decoded message has at
/// most 8 locators, none unparsable, `max_results` at most 8, and re-encodes to bytes that decode
/// to it; errors are final for the stream; a small cache fed every push never holds more than its
/// bound of principals or locators per principal.
enum PXMessageTarget {
    static let target = FuzzTarget("px-message", dictionary: "cbor", maximumLength: 16384) { bytes in
        var input = FuzzInput(bytes)
        let chunks = FileTransferTarget.split(input.rest(), seed: UInt32(input.byte()))
        var reader = PXMessageReader()
        var cache = LocatorCache(limits: .init(principals: 4, locatorsPerPrincipal: 2))
        var now: UInt64 = 0
        stream: for chunk in chunks {
            reader.append(chunk)
            while true {
                let next = withAllocationLimit(FileTransferTarget.allocationLimit(chunk.count), "reading a chunk of \(chunk.count) bytes") {
                    Result { () throws(PXProtocolError) in try reader.next() }
                }
                guard case .success(let message?) = next else {
                    if case .failure = next { break stream }
                    break
                }
                check(message)
                if case .push(let push) = message {
                    now += 1
                    cache.learn(push.locators, of: push.principal, ttl: push.ttlSeconds, now: now)
                    invariant(cache.count <= 4, "the cache holds \(cache.count) principals, over its bound of 4")
                    invariant(cache.locators(of: push.principal, now: now).count <= 2, "more than 2 locators kept for one principal")
                }
            }
        }
    }

    static func check(_ message: PXMessage) {
        let encoded = message.encoded()
        var again = PXMessageReader()
        again.append(encoded)
        let decoded = Result { () throws(PXProtocolError) in try again.next() }
        invariant(decoded == .success(message), "a decoded message re-encodes to bytes that decode to \(decoded)")
        switch message {
        case .resolveRequest(let request):
            invariant((request.maximumResults ?? 0) <= PXLimits.maximumResults, "max_results \(request.maximumResults ?? 0) over the cap")
        case .resolveResponse(let response):
            invariant(response.locators.count <= PXLimits.maximumLocatorsPerMessage, "\(response.locators.count) locators decoded")
        case .push(let push):
            invariant(push.locators.count <= PXLimits.maximumLocatorsPerMessage, "\(push.locators.count) locators decoded")
        }
    }
}
