import NIOCore
import SNaP2PIdentity
import SNaP2PSession

extension Peer {
    /// Opens a direct session with `remote` by TCP simultaneous open (``SimultaneousOpen``): the
    /// remote runs the same call with this peer's principal and a matching plan at the same time.
    /// The new connection gets a full handshake of its own, with the Noise roles fixed by
    /// ``SimultaneousOpen/role(of:towards:)``, and is accepted only when it proves `remote`.
    ///
    /// Throws ``SNaP2PError/simultaneousOpenFailed(attempts:reason:)`` when no connection is made
    /// by the plan's deadline. A stealth peer does not ask for a KNOCK here: it takes part in this
    /// connection by its own choice.
    public func connect(simultaneouslyWith remote: Principal, plan: SimultaneousOpen) async throws -> Connection {
        try await connect(simultaneouslyWith: remote, plan: plan, holdingIncomingStreams: false)
    }

    /// With `holdingIncomingStreams`, the streams the remote opens wait in the session until a
    /// relayed connection is moved onto it (a direct upgrade): the remote may switch, and open
    /// streams here, before this side has.
    func connect(simultaneouslyWith remote: Principal, plan: SimultaneousOpen, holdingIncomingStreams: Bool) async throws -> Connection {
        guard let role = SimultaneousOpen.role(of: principal, towards: remote) else {
            throw SNaP2PError.handshakeFailed(code: .authFailed, reason: "a simultaneous open needs two different principals")
        }
        var configuration = self.configuration
        configuration.authorization = PinnedPrincipalPolicy(remote, within: configuration.authorization)
        if configuration.visibility == .stealth { configuration.visibility = .private }
        var settings = sessionIngredients.settings(
            configuration: configuration, relay: relay, role: role, presentation: try await credentials.current())
        settings.holdsIncomingStreams = holdingIncomingStreams
        let sessionSettings = settings
        // The responder also accepts on the port: the two sides meet even when their SYNs cannot cross.
        let attempts = SimultaneousOpenConnector.connect(plan, accepting: role == .responder, on: eventLoopGroup.next())
        let channel = try await withTaskCancellationHandler {
            try await attempts.channel.get()
        } onCancel: {
            attempts.cancel()
        }
        let established = channel.eventLoop.makePromise(of: Connection.self)
        do {
            try await channel.eventLoop.submit {
                let closed = channel.eventLoop.makePromise(of: SNaP2PError?.self)
                try channel.pipeline.syncOperations.addHandler(
                    SessionHandler(settings: sessionSettings, established: established, closed: closed)
                )
            }.get()
            // The connector left reading off until the session's handler was in place.
            try await channel.setOption(.autoRead, value: true).get()
        } catch {
            established.fail(error)
            channel.close(promise: nil)
            throw SNaP2PError.connectionFailed(reason: "\(error)")
        }
        return try await withTaskCancellationHandler {
            try await established.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
