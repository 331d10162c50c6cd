import SNaP2PStreams
import SNaP2PWire

extension ActiveState {
    /// How many chunks one stream may seal before the next ready stream gets a turn.
    static let chunksPerTurn = 4

    var hasWritesReady: Bool { hold == nil && end == nil && !ready.isEmpty }

    /// Seals waiting writes into STREAM_DATA frames, a few chunks per stream in turn, until the
    /// output holds `budget` bytes, the remote's windows are shut, or nothing waits. A stream whose
    /// window is shut leaves the turn order until its WINDOW_UPDATE.
    mutating func sealPendingWrites(budget: Int, actions: inout [SessionAction]) {
        guard hold == nil else { return }
        while end == nil, output.count < budget, let id = ready.popFirst() {
            guard var stream = streams.removeValue(forKey: id) else { continue }
            let blocked = sealTurn(of: id, &stream, budget: budget, actions: &actions)
            streams[id] = stream
            if !blocked, !stream.pendingWrites.isEmpty { ready.append(id) }
            retireIfComplete(id, actions: &actions)
        }
    }

    /// Seals up to ``chunksPerTurn`` chunks of one stream; true when its window stopped it.
    private mutating func sealTurn(
        of id: StreamID,
        _ stream: inout SessionStream,
        budget: Int,
        actions: inout [SessionAction]
    ) -> Bool {
        for _ in 0..<Self.chunksPerTurn {
            guard var pending = stream.pendingWrites.first else { return false }
            let remaining = pending.bytes.count - pending.offset
            let chunk: OutboundChunk
            do {
                guard let next = try multiplexer.nextChunk(on: id, pendingByteCount: remaining, fin: pending.fin) else {
                    return true
                }
                chunk = next
            } catch {
                // The multiplexer no longer lets this stream write (it finished): nothing can go.
                stream.pendingWrites.removeFirst()
                if let token = pending.token { actions.append(.writeFailed(token, .closedLocally(nil))) }
                continue
            }
            let end = pending.offset + chunk.byteCount
            do {
                try output.withBytes { bytes throws(SessionCipherError) in
                    try cipher.sealStreamDataFrame(
                        streamID: id,
                        data: pending.bytes[pending.offset..<end],
                        fin: chunk.fin,
                        appendingTo: &bytes
                    )
                }
            } catch {
                fail(.connectionClosed, "nonce space exhausted")
                return false
            }
            if chunk.byteCount > 0 { actions.append(.sealed(id, byteCount: chunk.byteCount)) }
            pending.offset = end
            if end == pending.bytes.count, chunk.fin || !pending.fin {
                stream.pendingWrites.removeFirst()
                if let token = pending.token { actions.append(.writeCompleted(token)) }
            } else {
                stream.pendingWrites[stream.pendingWrites.startIndex] = pending
            }
            if output.count >= budget { return false }
        }
        return false
    }
}
