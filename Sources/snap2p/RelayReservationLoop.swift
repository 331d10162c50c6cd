import Foundation
import SNaP2P

/// `listen --relay HOST:PORT` and `receive --relay HOST:PORT`: holds a session with the relay and
/// a reservation on it, and hands the sessions relayed to this peer to `serve`, like direct ones.
/// When the relay goes away (or refuses a renewal) it reconnects after 1 s, doubling up to 60 s
/// while the relay stays unreachable.
struct RelayReservationLoop: Sendable {
    let peer: Peer
    let relayAddress: String
    let output: PeerEventOutput
    /// Serves one relayed connection (its relayed session lasts while the relay session does).
    let serve: @Sendable (Connection) async -> Void

    static let firstBackoff = Duration.seconds(1)
    static let longestBackoff = Duration.seconds(60)

    /// Runs until cancelled; cancelling closes the session with the relay, which ends the
    /// relayed sessions, and returns once they have ended.
    func run() async {
        var backoff = Self.firstBackoff
        while !Task.isCancelled {
            let reason: String
            do {
                // From a reusable port: a relayed session's direct upgrade punches from it.
                let session = try await peer.dial(relayAddress, reusableLocalPort: 0)
                let reservation = try await peer.reserve(on: session)
                output.reserved(on: reservation, as: peer.principal, locator: "relay:\(relayAddress)")
                backoff = Self.firstBackoff
                await withTaskCancellationHandler {
                    await withDiscardingTaskGroup { group in
                        for await connection in reservation {
                            group.addTask { await serve(connection) }
                        }
                    }
                } onCancel: {
                    Task { await session.close() }
                }
                reason = await session.closed().map { "\($0)" } ?? "the reservation ended"
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            output.relayLost(relayAddress, reason: reason, retryIn: backoff)
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, Self.longestBackoff)
        }
    }
}

extension PeerEventOutput {
    /// `listen --relay` holds a reservation: others reach `principal` at `locator`.
    func reserved(on reservation: Reservation, as principal: Principal, locator: String) {
        var event = PeerEvent("reserved")
        event.principal = principal.description
        event.relay = reservation.relay.description
        event.remote = reservation.relayAddress
        event.locator = locator
        event.expires = reservation.expiresAt
        emit(event, text: "Reserved on relay \(reservation.relay): reachable as \(locator) "
            + "(snap2p dial \(locator) --expect \(principal)), renewed before \(Self.time(reservation.expiresAt))")
    }

    /// The session with the relay or the reservation ended, or could not be made.
    func relayLost(_ relayAddress: String, reason: String, retryIn backoff: Duration) {
        var event = PeerEvent("relay_lost")
        event.remote = relayAddress
        event.error = reason
        event.seconds = Double(backoff.components.seconds)
        emit(event, text: "Relay \(relayAddress): \(reason); retrying in \(backoff.components.seconds) s")
    }
}
