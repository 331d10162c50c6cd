/// Which protocol serves the streams a remote opens with a given label, instead of the
/// application's ``Connection/incomingStreams``.
///
/// Built-in protocols claim their labels here, and so can an application: register a handler for
/// a label in ``PeerConfiguration/streamProtocols``, and every stream a remote opens with that
/// label is handed to it, in its own task, together with its connection:
///
/// ```swift
/// var configuration = PeerConfiguration()
/// configuration.streamProtocols.register("time") { stream, connection in
///     try? await stream.write(Array("\(Date())".utf8))
///     try? await stream.finish()
/// }
/// ```
///
/// Streams with other labels, or none, reach `incomingStreams` as before. Registering changes
/// nothing on the wire: a label is the OPEN_STREAM `l` the remote chose.
public struct StreamProtocols: Sendable {
    /// Serves one stream of the protocol; the stream is the handler's to read, write and close.
    public typealias Handler = @Sendable (SNaP2PStream, Connection) async -> Void

    private var handlers: [String: Handler] = [:]

    /// No protocols: every stream goes to `incomingStreams`.
    public init() {}

    /// Routes streams labelled `label` to `handler`, replacing an earlier registration.
    public mutating func register(_ label: String, handler: @escaping Handler) {
        handlers[label] = handler
    }

    /// Stops routing `label`: its streams go to `incomingStreams` again.
    public mutating func unregister(_ label: String) {
        handlers[label] = nil
    }

    /// The labels that have a handler.
    public var labels: [String] { handlers.keys.sorted() }

    func handler(for label: String) -> Handler? { handlers[label] }
}
