import NIOCore
import NIOPosix
import SNaP2P
import SNaP2PIdentity
import SNaP2PSession
import SNaP2PStreams

/// A listener that is not SNaP2P's transport: its own bare NIO handler drives a
/// ``SessionStateMachine`` and answers every stream with one frame, `STREAM_DATA{d, f: true}` —
/// data and end together, as the TypeScript reference may send them.
final class ScriptedListener: Sendable {
    /// When a stream's answer goes out.
    enum Trigger: Sendable {
        /// As soon as the dialer's first bytes arrive (before its end).
        case firstData
        /// Once the dialer finished its side.
        case remoteFinish
    }

    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Listens on 127.0.0.1; every stream is answered with `reply(received bytes)` at `trigger`.
    static func start(
        trigger: Trigger,
        reply: @escaping @Sendable ([UInt8]) -> [UInt8]
    ) async throws -> ScriptedListener {
        let wallet = LocalWallet.ephemeral(network: .testnet)
        let nodeKey = NodeKey.generate()
        let attestation = try await NodeKeyAttestation.issue(wallet: wallet, nodePublicKey: nodeKey.publicKey)
        let configuration = SessionConfiguration(
            handshake: HandshakeConfiguration(role: .responder, nodeKey: nodeKey, attestation: attestation, network: .testnet)
        )
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Driver(machine: SessionStateMachine(configuration: configuration), trigger: trigger, reply: reply)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedListener(port: channel.localAddress!.port!, channel: channel)
    }

    func close() async {
        try? await channel.close()
    }

    private final class Driver: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        var machine: SessionStateMachine
        let trigger: Trigger
        let reply: @Sendable ([UInt8]) -> [UInt8]
        var received: [StreamID: [UInt8]] = [:]
        var answered: Set<StreamID> = []

        init(machine: SessionStateMachine, trigger: Trigger, reply: @escaping @Sendable ([UInt8]) -> [UInt8]) {
            self.machine = machine
            self.trigger = trigger
            self.reply = reply
        }

        func channelActive(context: ChannelHandlerContext) {
            var actions: [SessionAction] = []
            machine.start(now: Self.now, actions: &actions)
            handle(actions, context: context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var actions: [SessionAction] = []
            Self.unwrapInboundIn(data).withUnsafeReadableBytes { machine.receive($0, now: Self.now, actions: &actions) }
            handle(actions, context: context)
        }

        private func handle(_ actions: [SessionAction], context: ChannelHandlerContext) {
            var more: [SessionAction] = []
            for action in actions {
                switch action {
                case .deliver(let id, let bytes):
                    received[id, default: []] += bytes
                    machine.consumed(id, byteCount: bytes.count, actions: &more)
                    if trigger == .firstData { answer(id, actions: &more) }
                case .inboundFinished(let id):
                    if trigger == .remoteFinish { answer(id, actions: &more) }
                case .close:
                    context.close(promise: nil)
                default:
                    break
                }
            }
            while machine.hasWritesReady { machine.sealPendingWrites(budget: 1 << 20, actions: &more) }
            machine.takeOutput { bytes in context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil) }
            if !more.isEmpty { handle(more, context: context) }
        }

        private func answer(_ id: StreamID, actions: inout [SessionAction]) {
            guard answered.insert(id).inserted else { return }
            machine.write(reply(received[id] ?? []), on: id, fin: true, actions: &actions)
        }

        private static var now: SessionTime {
            SessionTime(uptime: .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds)), unixSeconds: WallClock.unixSeconds())
        }
    }
}
