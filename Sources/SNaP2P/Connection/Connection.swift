import NIOCore
import SNaP2PIdentity
import SNaP2PNoise
import SNaP2PSession

/// An authenticated, encrypted session with one remote peer, carrying any number of streams.
///
/// Dropping the last reference to a connection closes it, so a task that fails cannot leak one.
public final class Connection: Sendable {
    /// The remote's proven identity.
    public let remotePrincipal: Principal
    /// This side's identity.
    public let localPrincipal: Principal
    /// The 32-byte session id the listener chose.
    public let sessionID: [UInt8]
    /// The optional protocol features both sides announced (today `fc1`, flow control).
    public let features: SessionFeatures
    /// Whether both sides offered `fc1`, so streams have flow-control windows.
    public var isFlowControlled: Bool { features.isFlowControlled }
    /// The Noise key schedule the handshake negotiated: `.standard` between Swift peers,
    /// `.reference` with the TypeScript implementation (see ``NoiseSchedulePolicy``).
    public let noiseSchedule: NoiseKeySchedule
    /// The remote's IP address and port as text, when known.
    public let remoteAddress: String?
    /// This side's IP address and port as text, when known: for a dial, the local port it left
    /// from (the one to reuse for a ``SimultaneousOpen``).
    public var localAddress: String? { localSocketAddress?.displayText }
    /// How the remote sees this side, as `ip:port` text, when both announced `obs1`: behind a NAT,
    /// the NAT's public address and the port it mapped this connection to (the remote's word, to
    /// tell others where to reach this peer; never evidence of identity). `nil` otherwise.
    public let observedLocalAddress: String?
    /// The remote's alias card, verified for ``remotePrincipal``: the latest this peer received
    /// from that principal (in this session or a later one), `nil` if none or once it expired.
    /// Aliases are not unique; show one only beside the principal.
    public var remoteAlias: AliasCard? { aliasBook.card(of: remotePrincipal, at: WallClock.unixSeconds()) }

    let link: SessionLink
    /// This side's address of the socket, when known (for PX-1 hints about where we listen).
    let localSocketAddress: SocketAddress?
    let closeFuture: EventLoopFuture<SNaP2PError?>
    private let aliasBook: AliasBook
    private let incoming: AsyncStream<SNaP2PStream>

    init(
        info: EstablishedSessionInfo,
        remoteAddress: String?,
        localAddress: SocketAddress?,
        observedLocalAddress: String?,
        aliasBook: AliasBook,
        link: SessionLink,
        incoming: AsyncStream<SNaP2PStream>,
        closeFuture: EventLoopFuture<SNaP2PError?>
    ) {
        self.remotePrincipal = info.remotePrincipal
        self.localPrincipal = info.localPrincipal
        self.sessionID = info.sessionID
        self.features = info.features
        self.noiseSchedule = info.noiseSchedule
        self.remoteAddress = remoteAddress
        self.localSocketAddress = localAddress
        self.observedLocalAddress = observedLocalAddress
        self.aliasBook = aliasBook
        self.link = link
        self.incoming = incoming
        self.closeFuture = closeFuture
    }

    deinit {
        link.execute { $0.close(code: nil) }
    }

    /// Opens a stream (OPEN_STREAM). Data may be written at once.
    /// Throws ``SNaP2PError/streamRefused(code:)`` when this side already has the maximum open.
    public func openStream(label: String? = nil) async throws -> SNaP2PStream {
        try await link.submit(orThrow: .connectionClosed(code: .connectionClosed, reason: "the connection is closed")) {
            handler, promise in handler.openStream(label: label, promise: promise)
        }
    }

    /// The streams the remote opens, in order; ends when the connection closes.
    public var incomingStreams: IncomingStreams { IncomingStreams(connection: self) }

    /// Closes the session and every stream in it. Bytes already written are sent first.
    public func close() async {
        link.execute { $0.close(code: nil) }
        _ = try? await closeFuture.get()
    }

    /// Waits until the session has ended; returns why when it ended with an error, `nil` when
    /// it was closed cleanly (by either side's ``close()``).
    public func closed() async -> SNaP2PError? {
        (try? await closeFuture.get()) ?? nil
    }

    /// Streams opened by the remote.
    public struct IncomingStreams: AsyncSequence, Sendable {
        public typealias Element = SNaP2PStream
        let connection: Connection

        /// One iterator at a time.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(connection: connection, base: connection.incoming.makeAsyncIterator())
        }

        /// Yields each stream the remote opens.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let connection: Connection
            var base: AsyncStream<SNaP2PStream>.AsyncIterator

            /// The next stream the remote opened, or `nil` once the connection has ended.
            public mutating func next() async -> SNaP2PStream? {
                await base.next()
            }
        }
    }
}
