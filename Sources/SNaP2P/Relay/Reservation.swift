import NIOConcurrencyHelpers
import SNaP2PIdentity

/// A slot this peer holds on a relay for its principal: an async sequence of the sessions other
/// peers open to it through the relay, delivered like a ``Listener``'s connections (the handshake
/// and this peer's authorization policy ran as for any inbound session; their ``Connection/path``
/// is `.relayed`). Made by ``Peer/reserve(on:)``.
///
/// The reservation renews itself before it expires and holds the session with the relay open.
/// It ends, and the sequence with it, when that session ends, a renewal is refused, or it is
/// closed; dropping the last reference closes it.
public final class Reservation: AsyncSequence, Sendable {
    public typealias Element = Connection

    /// The relay's principal.
    public let relay: Principal
    /// The relay's address as this peer reached it, when known.
    public let relayAddress: String?
    /// When the reservation runs out unless renewed (Unix seconds); moves on with each renewal.
    public var expiresAt: UInt64 { expiry.withLockedValue { $0 } }

    private let expiry: NIOLockedValueBox<UInt64>
    /// The session with the relay, held open while the reservation lasts.
    private let relaySession: Connection
    private let connections: AsyncStream<Connection>
    private let renewal: Task<Void, Never>
    private let release: @Sendable () -> Void

    init(
        relay: Connection,
        expiresAt: UInt64,
        connections: AsyncStream<Connection>,
        renew: @escaping @Sendable () async throws -> UInt64,
        clock: @escaping @Sendable () -> UInt64,
        release: @escaping @Sendable () -> Void
    ) {
        self.relay = relay.remotePrincipal
        self.relayAddress = relay.remoteAddress
        self.relaySession = relay
        let expiry = NIOLockedValueBox(expiresAt)
        self.expiry = expiry
        self.connections = connections
        self.release = release
        // Renews halfway to each expiry; a refused or failed renewal ends the reservation.
        renewal = Task {
            while !Task.isCancelled {
                let now = clock()
                let expiresAt = expiry.withLockedValue { $0 }
                let remaining = expiresAt > now ? expiresAt - now : 0
                do {
                    try await Task.sleep(for: .seconds(Swift.max(1, remaining / 2)))
                    let renewed = try await renew()
                    expiry.withLockedValue { $0 = renewed }
                } catch {
                    if !Task.isCancelled { release() }
                    return
                }
            }
        }
    }

    deinit {
        renewal.cancel()
        release()
    }

    /// Gives the slot up: no more relayed sessions arrive and the sequence ends. Sessions already
    /// delivered stay open. The relay forgets the slot when it expires or the session with it ends.
    public func close() {
        renewal.cancel()
        release()
    }

    /// Iterating is accepting: one iterator at a time.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reservation: self, base: connections.makeAsyncIterator())
    }

    /// Yields each relayed session; ends with the reservation.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reservation: Reservation
        var base: AsyncStream<Connection>.AsyncIterator

        /// The next relayed session, or `nil` once the reservation has ended.
        public mutating func next() async -> Connection? {
            await base.next()
        }
    }
}
