import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Carries out a ``SimultaneousOpen`` on one event loop: for each candidate, connect from the
/// plan's local port, and after each failure again after the retry interval, until one connects
/// or the deadline passes; the candidates are tried in parallel, the first connection wins and
/// every other attempt is closed.
///
/// One side (`accepting`) also listens on the port meanwhile: a SYN that arrives between its own
/// attempts is accepted instead of reset, so the two sides meet even where their SYNs cannot
/// cross in flight (on one host, where a reset comes back within microseconds). Only one side
/// listens, so both always end up holding the same connection: the accepting side's first
/// connection is the other side's successful connect, whichever way it was made.
///
/// The connected channel does not read yet (`autoRead` off): the caller adds its handlers, then
/// turns `autoRead` on, so no byte the remote sends first can pass an empty pipeline.
final class SimultaneousOpenConnector {
    private let plan: SimultaneousOpen
    private let eventLoop: any EventLoop
    private let promise: EventLoopPromise<any Channel>
    /// Attempts not yet closed (the winner until it is handed over), closed when another wins or
    /// time runs out.
    private var pending: [ObjectIdentifier: any Channel] = [:]
    private var attempts = 0
    private var lastFailure = "no attempt was made"
    private var isFinished = false
    private var deadlineTask: Scheduled<Void>?
    /// The listening socket of the accepting side, closed when the open ends.
    private var server: (any Channel)?

    /// Starts the attempts on `eventLoop`; the future completes with the connected channel, or
    /// fails with ``SNaP2PError/simultaneousOpenFailed(attempts:reason:)`` at the deadline, or
    /// with `CancellationError` once `cancel` is called (which closes every attempt).
    static func connect(
        _ plan: SimultaneousOpen,
        accepting: Bool,
        on eventLoop: any EventLoop
    ) -> (channel: EventLoopFuture<any Channel>, cancel: @Sendable () -> Void) {
        let promise = eventLoop.makePromise(of: (any Channel).self)
        let box = NIOLoopBoundBox.makeEmptyBox(valueType: SimultaneousOpenConnector.self, eventLoop: eventLoop)
        eventLoop.execute {
            let connector = SimultaneousOpenConnector(plan: plan, eventLoop: eventLoop, promise: promise)
            box.value = connector
            connector.begin(accepting: accepting)
        }
        let cancel: @Sendable () -> Void = {
            eventLoop.execute { box.value?.finish(.failure(CancellationError())) }
        }
        return (promise.futureResult, cancel)
    }

    private init(plan: SimultaneousOpen, eventLoop: any EventLoop, promise: EventLoopPromise<any Channel>) {
        self.plan = plan
        self.eventLoop = eventLoop
        self.promise = promise
    }

    private var loopBound: NIOLoopBound<SimultaneousOpenConnector> { NIOLoopBound(self, eventLoop: eventLoop) }

    private func begin(accepting: Bool) {
        let targets: [SocketAddress]
        do {
            targets = try plan.candidates.map { try SocketAddress(ipAddress: $0.host, port: $0.port) }
        } catch {
            let text = plan.candidates.map { "\($0.host):\($0.port)" }.joined(separator: ", ")
            finish(.failure(SNaP2PError.invalidAddress(text)))
            return
        }
        guard let first = targets.first, (1...65535).contains(plan.localPort) else {
            finish(.failure(SNaP2PError.simultaneousOpenFailed(attempts: 0, reason: "no candidate address or no local port")))
            return
        }
        if accepting { listen(ipv6: first.protocol == .inet6) }
        let this = loopBound
        deadlineTask = eventLoop.scheduleTask(in: TimeAmount(plan.deadline - .now)) { this.value.expire() }
        let delay = TimeAmount(max(.zero, plan.start - .now))
        for target in targets {
            eventLoop.scheduleTask(in: delay) { this.value.attempt(target) }
        }
    }

    private func attempt(_ target: SocketAddress) {
        guard !isFinished else { return }
        attempts += 1
        let this = loopBound
        let local: SocketAddress
        do {
            local = try SocketAddress.wildcard(port: plan.localPort, ipv6: target.protocol == .inet6)
        } catch {
            finish(.failure(SNaP2PError.invalidAddress("local port \(plan.localPort)")))
            return
        }
        let connect = ClientBootstrap(group: eventLoop)
            .sessionChannelOptions()
            .reusableLocalPort()
            .channelOption(.autoRead, value: false)
            .bind(to: local)
            .connectTimeout(TimeAmount(max(.milliseconds(1), plan.deadline - .now)))
            .channelInitializer { channel in
                let id = ObjectIdentifier(channel)
                this.value.pending[id] = channel
                channel.closeFuture.whenComplete { _ in this.value.pending[id] = nil }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .connect(to: target)
        connect.whenComplete { result in
            let connector = this.value
            switch result {
            case .success(let channel):
                connector.pending[ObjectIdentifier(channel)] = nil
                if connector.isFinished {
                    channel.close(promise: nil)
                } else {
                    connector.finish(.success(channel))
                }
            case .failure(let error):
                connector.failed(target, error: error)
            }
        }
    }

    /// Listens on the plan's port alongside the attempts. Where that is impossible (another socket
    /// listens there without `SO_REUSEPORT`), the attempts go on alone.
    private func listen(ipv6: Bool) {
        guard let local = try? SocketAddress.wildcard(port: plan.localPort, ipv6: ipv6) else { return }
        let this = loopBound
        ServerBootstrap(group: eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(Self.reusePort, value: 1)
            .sessionChildChannelOptions()
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                // Handed over once the accept is complete (the channel registered), not from inside it.
                channel.eventLoop.execute {
                    let connector = this.value
                    if connector.isFinished {
                        channel.close(promise: nil)
                    } else {
                        connector.finish(.success(channel))
                    }
                }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(to: local)
            .whenSuccess { server in
                let connector = this.value
                if connector.isFinished {
                    server.close(promise: nil)
                } else {
                    connector.server = server
                }
            }
    }

    private func failed(_ target: SocketAddress, error: any Error) {
        lastFailure = "\(target.displayText): \(SessionHandler.cause(of: error))"
        guard !isFinished, let next = plan.nextAttempt(afterFailureAt: .now) else { return }
        let this = loopBound
        eventLoop.scheduleTask(in: TimeAmount(max(.zero, next - .now))) { this.value.attempt(target) }
    }

    private func expire() {
        finish(.failure(SNaP2PError.simultaneousOpenFailed(attempts: attempts, reason: lastFailure)))
    }

    private func finish(_ result: Result<any Channel, any Error>) {
        guard !isFinished else { return }
        isFinished = true
        deadlineTask?.cancel()
        server?.close(promise: nil)
        for channel in pending.values { channel.close(promise: nil) }
        pending.removeAll()
        promise.completeWith(result)
    }
}

extension SocketAddress {
    /// The wildcard address (`0.0.0.0`, or `::`) on `port`, to connect from.
    static func wildcard(port: Int, ipv6: Bool) throws -> SocketAddress {
        try SocketAddress(ipAddress: ipv6 ? "::" : "0.0.0.0", port: port)
    }
}

extension ClientBootstrap {
    /// What every session's socket uses: no Nagle delay, large write watermarks, growing reads.
    func sessionChannelOptions() -> ClientBootstrap {
        channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: Peer.writeBufferWaterMark)
            .channelOption(.recvAllocator, value: Peer.receiveAllocator)
    }

    /// `SO_REUSEADDR` and `SO_REUSEPORT`, so other sockets (a relay connection and the attempts
    /// of a simultaneous open) can connect from the same local port at once.
    func reusableLocalPort() -> ClientBootstrap {
        channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(SimultaneousOpenConnector.reusePort, value: 1)
    }
}

extension ServerBootstrap {
    /// ``ClientBootstrap/sessionChannelOptions()`` for accepted connections.
    func sessionChildChannelOptions() -> ServerBootstrap {
        childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: Peer.writeBufferWaterMark)
            .childChannelOption(.recvAllocator, value: Peer.receiveAllocator)
    }
}

extension SimultaneousOpenConnector {
    /// `SO_REUSEPORT`, which NIO has no name for.
    static let reusePort = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_REUSEPORT))
}
