import SNaP2PDiscovery
import SNaP2PIdentity

extension Peer {
    /// Dials `address` (`host:port`, `[ipv6]:port`) and admits only a listener that proves
    /// `principal`; anyone else is refused during the handshake with
    /// ``SNaP2PError/principalMismatch(expected:actual:)``. `reusableLocalPort` as for
    /// ``dial(host:port:inviteToken:reusableLocalPort:)``.
    public func dial(
        _ address: String, expecting principal: Principal, inviteToken: [UInt8]? = nil, reusableLocalPort: Int? = nil
    ) async throws -> Connection {
        try await connect(
            to: PeerAddress(parsing: address), inviteToken: inviteToken, pinnedTo: principal, reusableLocalPort: reusableLocalPort)
    }

    /// Dials a principal wherever it listens (SPECS §10, docs/PX-1.md): first the locators in this
    /// peer's cache, then those the connected peers that speak PX-1 give (asked in parallel, the
    /// first that knows wins, within ``PeerConfiguration/Discovery/resolveTimeout``). Every
    /// candidate is pinned to `principal`: a locator where anyone else answers is a failed
    /// candidate, and is forgotten. At most ``PeerConfiguration/Discovery/maximumCandidates`` are tried.
    ///
    /// Throws ``PrincipalDialError`` when nobody knew the principal or every candidate failed.
    public func dial(principal: Principal, inviteToken: [UInt8]? = nil) async throws -> Connection {
        var dial = PrincipalDial(principal: principal, budget: configuration.discovery.maximumCandidates)
        if let connection = try await dial.attempt(discovery.cachedLocators(of: principal), from: .cache, peer: self, inviteToken: inviteToken) {
            return connection
        }
        let answers = await resolve(principal)
        for answer in answers {
            guard case .locators(let locators) = answer.outcome else { continue }
            if let connection = try await dial.attempt(locators, from: .resolver(answer.resolver), peer: self, inviteToken: inviteToken) {
                return connection
            }
        }
        if dial.failures.isEmpty { throw PrincipalDialError.notFound(principal, asked: answers) }
        throw PrincipalDialError.unreachable(principal, asked: answers, attempts: dial.failures)
    }

    /// Asks the connected peers that speak PX-1 (at most ``PeerConfiguration/Discovery/maximumResolvers``)
    /// where `principal` listens, in parallel; stops at the first that knows, or at the timeout.
    /// Each answer is a routing hint only: nothing is cached until a dial authenticates there.
    public func resolve(_ principal: Principal) async -> [ResolverAnswer] {
        let resolvers = discovery.resolvers(excluding: principal)
        guard !resolvers.isEmpty else { return [] }
        let timeout = configuration.discovery.resolveTimeout
        var outcomes = [ResolverAnswer.Outcome](repeating: .noAnswer, count: resolvers.count)
        await withTaskGroup(of: (Int, ResolverAnswer.Outcome)?.self) { group in
            for (index, connection) in resolvers.enumerated() {
                group.addTask { (index, await Self.ask(connection, about: principal)) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var waiting = resolvers.count
            while waiting > 0, let result = await group.next() {
                guard let (index, outcome) = result else { break }  // the timeout
                outcomes[index] = outcome
                waiting -= 1
                if case .locators = outcome { break }
            }
            group.cancelAll()
        }
        return zip(resolvers, outcomes).map { connection, outcome in
            ResolverAnswer(resolver: connection.remotePrincipal, remoteAddress: connection.remoteAddress, outcome: outcome)
        }
    }

    /// One PX_RESOLVE_REQ on a stream of its own, and the answer.
    private static func ask(_ connection: Connection, about principal: Principal) async -> ResolverAnswer.Outcome {
        do {
            let stream = try await connection.openStream(label: PXLimits.streamLabel)
            let request = PXMessage.resolveRequest(.init(principal: principal, maximumResults: PXLimits.maximumResults))
            try await stream.write(request.encoded())
            try await stream.finish()
            var reader = PXMessageReader()
            for try await chunk in stream.inbound {
                reader.append(chunk)
                guard let message = try reader.next() else { continue }
                guard case .resolveResponse(let response) = message else {
                    stream.close(error: .invalidMessage)
                    return .failed("answered with a message of type \(message.type)")
                }
                let locators = response.locators.filter { !$0.isUnspecified }
                return locators.isEmpty ? .noneKnown : .locators(locators)
            }
            return .failed("closed the stream without answering")
        } catch is CancellationError {
            return .noAnswer
        } catch {
            return .failed("\(error)")
        }
    }
}

/// The candidates one dial by principal has tried, within its budget.
private struct PrincipalDial {
    let principal: Principal
    var budget: Int
    var tried: Set<Locator> = []
    var failures: [CandidateFailure] = []

    /// Dials each untried locator, pinned to the principal, until one authenticates or the budget is
    /// spent: direct ones first, relays only when nothing direct worked.
    mutating func attempt(
        _ locators: [Locator], from source: CandidateFailure.Source, peer: Peer, inviteToken: [UInt8]?
    ) async throws -> Connection? {
        let ordered = locators.filter { !$0.isRelay } + locators.filter(\.isRelay)
        for locator in ordered where budget > 0 && tried.insert(locator).inserted {
            budget -= 1
            do {
                if locator.isRelay {
                    let connection = try await peer.dial(principal, viaRelay: locator.address, inviteToken: inviteToken)
                    peer.discovery.learn(locator, of: principal)
                    return connection
                }
                let address = try PeerAddress(host: locator.host, port: locator.port)
                return try await peer.connect(to: address, inviteToken: inviteToken, pinnedTo: principal)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let error = error as? SNaP2PError ?? .connectionFailed(reason: "\(error)")
                failures.append(CandidateFailure(locator: locator, source: source, error: error))
                peer.discovery.forget(locator, of: principal)
            }
        }
        return nil
    }
}
