import NIOConcurrencyHelpers
import NIOCore
import SNaP2PIdentity
import SNaP2PRelay

/// A relay: lets peers holding a session with this one reserve a slot for their principal, and
/// connects dialers to reserved principals by splicing a stream of each session (docs/RELAY.md).
/// Made by ``Peer/serveRelay(limits:)``; serves every session of that peer whose remote announced
/// `relay1`. The relay never sees the relayed sessions' keys: it forwards their ciphertext,
/// counting bytes against ``RelayLimits`` and cutting a relayed connection that exceeds them.
public final class RelayService: Sendable {
    /// The limits in force.
    public var limits: RelayLimits { state.withLockedValue { $0.ledger.limits } }
    /// What the relay does, for logs and monitoring; the newest ``eventBufferLimit`` are kept
    /// while nobody reads.
    public let events: AsyncStream<RelayEvent>
    /// How many unread ``events`` are kept (older ones are dropped).
    public static let eventBufferLimit = 256

    private struct State {
        var ledger: RelayLedger
        /// The sessions that hold reservations, by the relay's number for them.
        var sessions: [RelayLedger.SessionID: Connection] = [:]
        var sessionIDs: [ObjectIdentifier: RelayLedger.SessionID] = [:]
        var nextSession: RelayLedger.SessionID = 0
    }

    private let state: NIOLockedValueBox<State>
    private let eventSink: AsyncStream<RelayEvent>.Continuation
    private let clock: @Sendable () -> UInt64

    init(limits: RelayLimits, clock: @escaping @Sendable () -> UInt64) {
        state = NIOLockedValueBox(State(ledger: RelayLedger(limits: limits)))
        (events, eventSink) = AsyncStream.makeStream(of: RelayEvent.self, bufferingPolicy: .bufferingNewest(Self.eventBufferLimit))
        self.clock = clock
    }

    deinit {
        eventSink.finish()
    }

    /// Reservations held now.
    public var reservationCount: Int { state.withLockedValue { $0.ledger.reservationCount } }
    /// Relayed connections carried now.
    public var relayedConnectionCount: Int { state.withLockedValue { $0.ledger.circuitCount } }
    /// Bytes forwarded by every relayed connection so far, both directions, closed ones included.
    public var forwardedByteCount: UInt64 { state.withLockedValue { $0.ledger.forwardedByteCount } }

    /// How long a reserved peer has to accept or refuse an incoming relayed connection.
    static let answerTimeout = Duration.seconds(15)

    // MARK: - Requests

    /// RESERVE on `stream` from `connection`'s remote.
    func reserve(on stream: SNaP2PStream, from connection: Connection) async {
        let principal = connection.remotePrincipal
        let now = clock()
        let (result, isNewSession) = state.withLockedValue { state in
            let key = ObjectIdentifier(connection)
            let known = state.sessionIDs[key]
            let session = known ?? state.nextSession
            let result = state.ledger.reserve(principal, session: session, now: now)
            guard case .success = result, known == nil else { return (result, false) }
            state.nextSession += 1
            state.sessionIDs[key] = session
            state.sessions[session] = connection
            return (result, true)
        }
        switch result {
        case .success(let expiresAt):
            if isNewSession {
                connection.closeFuture.whenComplete { [weak self] _ in self?.sessionEnded(connection) }
            }
            eventSink.yield(.reserved(principal, expiresAt: expiresAt))
            try? await RelayStreamMessages.send(.reserved(expiresAt: expiresAt), on: stream)
            try? await stream.finish()
        case .failure(let refusal):
            eventSink.yield(.refused(principal, refusal))
            await RelayStreamMessages.refuse(refusal, on: stream)
        }
    }

    /// The reserved session ended: its reservations go.
    private func sessionEnded(_ connection: Connection) {
        state.withLockedValue { state in
            guard let session = state.sessionIDs.removeValue(forKey: ObjectIdentifier(connection)) else { return }
            state.sessions[session] = nil
            state.ledger.sessionEnded(session)
        }
    }

    /// CONNECT to `target` on `stream` from `connection`'s remote: asks the target over its
    /// reserved session and, once it accepts, forwards between the two streams until both end or
    /// a limit cuts them.
    func connect(on stream: SNaP2PStream, from connection: Connection, to target: Principal, alreadyReceived: [UInt8]) async {
        let source = connection.remotePrincipal
        let now = clock()
        let opened = state.withLockedValue { state -> Result<(RelayLedger.CircuitID, Connection), RelayRefusal> in
            state.ledger.openCircuit(from: source, to: target, now: now).flatMap { opened in
                guard let holder = state.sessions[opened.session] else {
                    _ = state.ledger.closeCircuit(opened.id)
                    return .failure(RelayRefusal(.noReservation, message: "\(target) holds no reservation on this relay"))
                }
                return .success((opened.id, holder))
            }
        }
        let circuit: RelayLedger.CircuitID
        let holder: Connection
        switch opened {
        case .success(let (id, connection)):
            (circuit, holder) = (id, connection)
        case .failure(let refusal):
            eventSink.yield(.refused(source, refusal))
            await RelayStreamMessages.refuse(refusal, on: stream)
            return
        }
        let outbound: SNaP2PStream
        let targetReceived: [UInt8]
        do {
            (outbound, targetReceived) = try await announce(source, to: target, on: holder)
        } catch {
            _ = state.withLockedValue { $0.ledger.closeCircuit(circuit) }
            let refusal = if case .relayRefused(let refusal) = error as? SNaP2PError, refusal.reason == .unreachable {
                refusal
            } else {
                RelayRefusal(.unreachable, message: "\(target) cannot be reached (\(error))")
            }
            eventSink.yield(.refused(source, refusal))
            await RelayStreamMessages.refuse(refusal, on: stream)
            return
        }
        do {
            try await RelayStreamMessages.send(.accepted, on: stream)
        } catch {
            outbound.close(error: .internalError)
            _ = state.withLockedValue { $0.ledger.closeCircuit(circuit) }
            return
        }
        eventSink.yield(.opened(source: source, target: target))
        let end = await splice(stream, alreadyReceived, with: outbound, targetReceived, circuit: circuit)
        let carried = state.withLockedValue { $0.ledger.closeCircuit(circuit) }
        eventSink.yield(.closed(source: source, target: target, byteCount: carried?.byteCount ?? 0, limit: end))
    }

    /// Opens a stream to the reserved `target` on `holder` and announces `source`; returns the
    /// stream once the target accepted, with the bytes it sent after its answer.
    private func announce(_ source: Principal, to target: Principal, on holder: Connection) async throws -> (SNaP2PStream, [UInt8]) {
        let outbound = try await holder.openStream(label: RelayProtocol.streamLabel)
        try await RelayStreamMessages.send(.incoming(source), on: outbound)
        let (answer, received) = try await RelayStreamMessages.receive(on: outbound, within: Self.answerTimeout)
        guard answer == .accepted else {
            outbound.close()
            let message = if case .refused(let refusal) = answer { "\(target) refused: \(refusal)" } else { "\(target) answered \(answer.type)" }
            throw SNaP2PError.relayRefused(RelayRefusal(.unreachable, message: message))
        }
        return (outbound, received)
    }

    // MARK: - Forwarding

    private enum Outcome: Sendable {
        case finished
        case failed
        case cut(RelayEvent.Limit)
    }

    /// Forwards between the dialer's stream `a` and the target's `b` (each with the bytes already
    /// read past its relay message) until both directions have ended, one fails, or a limit is
    /// reached; returns the limit that cut them, if one did.
    private func splice(
        _ a: SNaP2PStream, _ fromA: [UInt8], with b: SNaP2PStream, _ fromB: [UInt8], circuit: RelayLedger.CircuitID
    ) async -> RelayEvent.Limit? {
        let duration = limits.connectionDuration
        return await withTaskGroup(of: Outcome.self) { group in
            group.addTask { await self.forward(from: a, alreadyReceived: fromA, to: b, circuit: circuit) }
            group.addTask { await self.forward(from: b, alreadyReceived: fromB, to: a, circuit: circuit) }
            group.addTask {
                do {
                    try await Task.sleep(for: duration)
                    return .cut(.duration)
                } catch {
                    return .finished
                }
            }
            var finished = 0
            while let outcome = await group.next() {
                switch outcome {
                case .finished:
                    finished += 1
                    guard finished == 2 else { continue }
                    group.cancelAll()
                    return nil
                case .failed:
                    a.close(error: .internalError)
                    b.close(error: .internalError)
                    group.cancelAll()
                    return nil
                case .cut(let limit):
                    a.close(error: .resourceExhausted)
                    b.close(error: .resourceExhausted)
                    group.cancelAll()
                    return limit
                }
            }
            return nil
        }
    }

    /// Copies one direction, counting every chunk against the byte limit before it is sent.
    private func forward(
        from source: SNaP2PStream, alreadyReceived: [UInt8], to destination: SNaP2PStream, circuit: RelayLedger.CircuitID
    ) async -> Outcome {
        do {
            if !alreadyReceived.isEmpty {
                guard record(alreadyReceived.count, on: circuit) else { return .cut(.bytes) }
                try await destination.write(alreadyReceived)
            }
            for try await chunk in source.inbound {
                guard record(chunk.count, on: circuit) else { return .cut(.bytes) }
                try await destination.write(chunk)
            }
            try await destination.finish()
            return .finished
        } catch {
            return .failed
        }
    }

    private func record(_ byteCount: Int, on circuit: RelayLedger.CircuitID) -> Bool {
        state.withLockedValue { $0.ledger.forward(byteCount, on: circuit) }
    }
}

/// Something a ``RelayService`` did.
public enum RelayEvent: Sendable, Hashable {
    /// `principal` reserved (or renewed) a slot until `expiresAt` (Unix seconds).
    case reserved(Principal, expiresAt: UInt64)
    /// A reservation or connect request from `principal` was refused.
    case refused(Principal, RelayRefusal)
    /// A relayed connection from `source` to the reserved `target` began.
    case opened(source: Principal, target: Principal)
    /// That relayed connection ended after forwarding `byteCount` bytes (both directions);
    /// `limit` names the limit that cut it, `nil` when its ends closed it.
    case closed(source: Principal, target: Principal, byteCount: UInt64, limit: Limit?)

    /// A limit that cuts a relayed connection.
    public enum Limit: String, Sendable, Hashable {
        /// ``RelayLimits/connectionDuration`` passed.
        case duration
        /// ``RelayLimits/connectionBytes`` were forwarded.
        case bytes
    }
}
