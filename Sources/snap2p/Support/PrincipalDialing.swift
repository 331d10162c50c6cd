import ArgumentParser
import SNaP2P

/// What `dial` and `chat` connect to: `host:port`, or a `stacks:` principal found through PX-1.
enum DialTarget {
    case address(String)
    case principal(Principal)

    /// `stacks:…` is a principal; anything else must be `host:port` or `[ipv6]:port`.
    init(parsing text: String) throws {
        if text.hasPrefix(Principal.prefix) {
            do { self = .principal(try Principal(text)) } catch { throw ValidationError("\(text): \(error)") }
        } else {
            guard (try? PeerAddress(parsing: text)).map({ (1...65535).contains($0.port) }) == true else {
                throw ValidationError("\(text) is not HOST:PORT or a stacks: principal (for example 127.0.0.1:9000, [::1]:9000, stacks:SP…)")
            }
            self = .address(text)
        }
    }
}

/// `--via HOST:PORT`: peers to hold sessions with while a principal is resolved through them.
struct ViaOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "With a stacks: principal to reach: a peer to ask where it listens (PX-1), e.g. one running "
            + "`snap2p listen --connect`. Repeatable; all are asked at once.",
        valueName: "host:port"))
    var via: [String] = []

    func validate(target: DialTarget) throws {
        for address in via where (try? PeerAddress(parsing: address)) == nil {
            throw ValidationError("--via \(address) is not HOST:PORT")
        }
        if case .address = target, !via.isEmpty {
            throw ValidationError("--via is for dialing a stacks: principal; HOST:PORT is dialed directly")
        }
    }
}

/// Dials a principal as `dial` and `chat` do: connects to each `--via` peer, lets the peer resolve
/// the principal through them (and its cache), reports `resolving` and `resolved`, and explains a
/// failure with who was asked and what each said.
struct PrincipalDialing {
    let peer: Peer
    let via: [String]
    let output: PeerEventOutput

    func dial(_ principal: Principal, inviteToken: [UInt8]?, listenCommand: String) async throws -> Connection {
        var helpers: [Connection] = []
        for address in via {
            do {
                helpers.append(try await peer.dial(address))
            } catch {
                throw CommandFailure.dialing(
                    error, address: address, localPrincipal: peer.principal, usedToken: false, listenCommand: "listen")
            }
        }
        output.resolving(principal, via: zip(via, helpers).map { address, connection in (address, connection.remotePrincipal) })
        let connection: Connection
        do {
            connection = try await peer.dial(principal: principal, inviteToken: inviteToken)
        } catch let error as PrincipalDialError {
            throw CommandFailure.resolving(error, via: via)
        } catch {
            throw CommandFailure.dialing(
                error, address: "\(principal)", localPrincipal: peer.principal, usedToken: inviteToken != nil, listenCommand: listenCommand)
        }
        output.resolved(principal, at: connection.remoteAddress)
        for helper in helpers { await helper.close() }
        return connection
    }
}

extension PeerEventOutput {
    /// Asking the `--via` peers (and the cache) where `principal` listens.
    func resolving(_ principal: Principal, via: [(address: String, principal: Principal)]) {
        var event = PeerEvent("resolving")
        event.principal = principal.description
        event.via = via.map(\.address)
        let asked = via.isEmpty ? "the locator cache" : via.map { "\($0.principal) at \($0.address)" }.joined(separator: ", ")
        emit(event, text: "Resolving \(principal) through \(asked)")
    }

    /// `principal` answered at `remote`, and proved it.
    func resolved(_ principal: Principal, at remote: String?) {
        var event = PeerEvent("resolved")
        event.principal = principal.description
        event.remote = remote
        emit(event, text: "Found \(principal)" + (remote.map { " at \($0)" } ?? ""))
    }
}

extension CommandFailure {
    /// A dial by principal that found nobody who knew it (status 9), or no locator that worked (2).
    static func resolving(_ error: PrincipalDialError, via: [String]) -> CommandFailure {
        var failure: CommandFailure
        switch error {
        case .notFound(let principal, let asked):
            let answers = asked.isEmpty ? "" : ": " + asked.map(\.description).joined(separator: "; ")
            failure = CommandFailure(
                "nobody knew where \(principal) listens" + (asked.isEmpty ? " (no peer to ask)" : answers),
                hint: via.isEmpty
                    ? "name a peer that knows it: --via HOST:PORT (one running `snap2p listen --connect` to it)"
                    : "the peers asked hold no session with it and no hint about it; check the principal",
                status: .principalNotFound)
        case .unreachable(let principal, _, let attempts):
            failure = CommandFailure(
                "found \(principal) but could not reach it: " + attempts.map(\.description).joined(separator: "; "),
                hint: "the hints may be stale, or it listens where this machine cannot reach",
                status: .unreachable)
        }
        failure.asked = error.asked.map(PeerEvent.Answer.init)
        return failure
    }
}

extension PeerEvent.Answer {
    init(_ answer: ResolverAnswer) {
        self.init(principal: answer.resolver.description, remote: answer.remoteAddress)
        switch answer.outcome {
        case .locators(let locators):
            self.answer = "locators"
            self.locators = locators.map(\.description)
        case .noneKnown:
            self.answer = "not_known"
        case .failed(let reason):
            self.answer = "failed"
            self.error = reason
        case .noAnswer:
            self.answer = "no_answer"
        }
    }
}
