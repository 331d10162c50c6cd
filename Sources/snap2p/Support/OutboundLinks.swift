import SNaP2P

/// `listen --connect HOST:PORT`: sessions this listener keeps with other peers, so PX-1 can resolve
/// through them (and they through it). A session that ends or cannot be made is retried after 1 s,
/// doubling to 30 s; a session that lasted resets the delay.
struct OutboundLinks: Sendable {
    let addresses: [String]
    let peer: Peer
    let output: PeerEventOutput

    /// The longest wait between attempts.
    static let maximumRetryDelay = Duration.seconds(30)

    /// The first attempt at each address, all at once: `listen` prints `ready` after them, so a
    /// script that waits for `ready` finds these sessions up (or reported failed).
    func connectFirst() async -> [Result<Connection, any Error>] {
        await withTaskGroup(of: (Int, Result<Connection, any Error>).self) { group in
            for (index, address) in addresses.enumerated() {
                group.addTask { (index, await Self.attempt(address, peer: peer)) }
            }
            var results = [Result<Connection, any Error>?](repeating: nil, count: addresses.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    /// Serves each session like an inbound one (echo) and reconnects when it ends, until cancelled.
    func keep(startingWith first: [Result<Connection, any Error>]) async {
        await withDiscardingTaskGroup { group in
            for (address, result) in zip(addresses, first) {
                group.addTask { await keep(address, startingWith: result) }
            }
        }
    }

    private func keep(_ address: String, startingWith first: Result<Connection, any Error>) async {
        var result = first
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            switch result {
            case .success(let connection):
                let clock = ContinuousClock()
                let began = clock.now
                await withTaskCancellationHandler {
                    await ListenCommand.serve(connection, output: output, outbound: true)
                } onCancel: {
                    Task { await connection.close() }
                }
                if clock.now - began > delay { delay = .seconds(1) }
            case .failure(let error):
                output.connectFailed(address, error: error, retryIn: delay)
            }
            do { try await Task.sleep(for: delay) } catch { return }
            delay = min(delay * 2, Self.maximumRetryDelay)
            result = await Self.attempt(address, peer: peer)
        }
    }

    private static func attempt(_ address: String, peer: Peer) async -> Result<Connection, any Error> {
        do { return .success(try await peer.dial(address)) } catch { return .failure(error) }
    }
}

extension PeerEventOutput {
    /// A `listen --connect` attempt failed; the next is in `delay`.
    func connectFailed(_ address: String, error: any Error, retryIn delay: Duration) {
        var event = PeerEvent("connect_failed")
        event.remote = address
        event.code = (error as? SNaP2PError)?.code?.description
        event.error = "\(error)"
        event.retrySeconds = Self.milliseconds(delay) / 1000
        emit(event, text: "Cannot connect to \(address) (\(error)); retrying in \(Self.format(Self.milliseconds(delay) / 1000)) s")
    }
}
