import SNaP2PIdentity
import SNaP2PStreams
import SNaP2PWire
import Testing
import TestSupport

@testable import SNaP2PSession

/// The session state machine without sockets: two machines back to back, bytes moved by hand.
@Suite struct SessionStateMachineTests {
    // MARK: - Establishment and features

    @Test func bothSidesEstablishWithTheFeaturesBothOffered() async throws {
        var pair = try await SessionPair()
        pair.establish()
        #expect(pair.dialerActions.milestones.first == .established("alias1,fc1,obs1,px1,relay1,upgrade1"))
        #expect(pair.listenerActions.milestones.first == .established("alias1,fc1,obs1,px1,relay1,upgrade1"))
        #expect(pair.dialer.features?.isFlowControlled == true)
        #expect(pair.dialer.features?.exchangesAliasCards == true)
    }

    @Test(arguments: [
        (["fc1"], [String](), "none"),
        ([], ["fc1"], "none"),
        (["fc1", "x-future"], ["zz-unknown", "fc1"], "fc1"),
        (["x-future"], ["x-future"], "none"),
        (["fc1", "alias1"], ["alias1"], "alias1"),
    ])
    func aFeatureNeedsBothSidesAndUnknownFlagsAreIgnored(dialer: [String], listener: [String], expected: String) async throws {
        var pair = try await SessionPair(dialerCapabilities: dialer, listenerCapabilities: listener)
        pair.establish()
        #expect(pair.dialerActions.milestones.first == .established(expected))
        #expect(pair.listenerActions.milestones.first == .established(expected))
    }

    @Test func framesSplitIntoSingleBytesAreReassembled() async throws {
        var pair = try await SessionPair()
        pair.start()
        for _ in 0..<20 {
            for byte in pair.output(of: .dialer) { pair.deliver([byte], to: .listener) }
            for byte in pair.output(of: .listener) { pair.deliver([byte], to: .dialer) }
        }
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "bytewise", actions: &$1) })
        pair.run(.dialer) { $0.write(Array(0..<200), on: id, fin: true, actions: &$1) }
        for byte in pair.output(of: .dialer) { pair.deliver([byte], to: .listener) }
        #expect(pair.listenerActions.milestones.contains(.opened(id, "bytewise")))
        #expect(pair.listenerActions.milestones.contains(.deliver(id, Array(0..<200))))
        #expect(pair.listenerActions.milestones.contains(.inboundFinished(id)))
    }

    // MARK: - The dialer's hold (PROTOCOL.md §6)

    /// Runs the handshake until the dialer is established, without delivering anything after that.
    private func establishDialerOnly(_ pair: inout SessionPair) {
        pair.start()
        while pair.dialer.features == nil {
            pair.deliver(pair.output(of: .dialer), to: .listener)
            pair.deliver(pair.output(of: .listener), to: .dialer)
        }
    }

    @Test func theDialerSendsNothingAfterAuthOKUntilTheListenerSpeaks() async throws {
        var pair = try await SessionPair()
        establishDialerOnly(&pair)
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "early", actions: &$1) })
        pair.run(.dialer) { $0.write(Array("held".utf8), on: id, actions: &$1) }
        // Only the handshake's last frame leaves; the listener is established but sees no stream.
        pair.deliver(pair.output(of: .dialer), to: .listener)
        #expect(pair.listener.features != nil)
        #expect(!pair.listenerActions.milestones.contains(.opened(id, "early")))
        #expect(pair.output(of: .dialer).isEmpty)
        // The listener's first frame (its PING) releases what the dialer held.
        pair.deliver(pair.output(of: .listener), to: .dialer)
        pair.deliver(pair.output(of: .dialer), to: .listener)
        #expect(pair.listenerActions.milestones.contains(.opened(id, "early")))
        #expect(pair.listenerActions.milestones.contains(.deliver(id, Array("held".utf8))))
    }

    @Test func theHoldEndsAfterItsGracePeriodWhenTheListenerIsSilent() async throws {
        var pair = try await SessionPair()
        establishDialerOnly(&pair)
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "late", actions: &$1) })
        pair.deliver(pair.output(of: .dialer), to: .listener)
        _ = pair.output(of: .listener)  // the listener's PING is lost
        pair.now.uptime += .milliseconds(1999)
        pair.tick(.dialer)
        #expect(pair.output(of: .dialer).isEmpty)
        #expect(pair.dialer.nextDeadline == pair.now.uptime + .milliseconds(1))
        pair.now.uptime += .milliseconds(1)
        pair.tick(.dialer)
        pair.deliver(pair.output(of: .dialer), to: .listener)
        #expect(pair.listenerActions.milestones.contains(.opened(id, "late")))
    }

    // MARK: - Data and end in one frame

    /// STREAM_DATA{d, f: true} delivers `d`, then the end, then retires the stream exactly once,
    /// whichever of the local finish, the frame's arrival and the reader's consumption comes first.
    @Test(arguments: [
        ["localFinish", "reply", "consume"],
        ["reply", "localFinish", "consume"],
        ["reply", "consume", "localFinish"],
    ])
    func dataAndEndInOneFrameReachTheReaderInEveryOrder(order: [String]) async throws {
        var pair = try await SessionPair()
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "echo", actions: &$1) })
        pair.run(.dialer) { $0.write(Array("ping".utf8), on: id, actions: &$1) }
        pair.exchange()
        pair.clearActions()
        for step in order {
            switch step {
            case "localFinish":
                pair.run(.dialer) { $0.write([], on: id, fin: true, token: 7, actions: &$1) }
                pair.exchange()
            case "reply":
                pair.run(.listener) { $0.write(Array("pong".utf8), on: id, fin: true, actions: &$1) }
                pair.exchange()
            default:
                pair.run(.dialer) { $0.consumed(id, byteCount: 4, actions: &$1) }
                pair.exchange()
            }
        }
        let events = pair.dialerActions.milestones
        let deliver = try #require(events.firstIndex(of: .deliver(id, Array("pong".utf8))))
        let end = try #require(events.firstIndex(of: .inboundFinished(id)))
        #expect(deliver < end)
        #expect(events.filter { if case .ended(id, _) = $0 { true } else { false } } == [.ended(id, .finished)])
        #expect(events.contains(.writeCompleted(7)))
        #expect(events.last == .ended(id, .finished))
    }

    // MARK: - Write scheduling

    @Test func streamsWithPendingWritesTakeTurns() async throws {
        var pair = try await SessionPair(dialerCapabilities: [], listenerCapabilities: [])
        pair.establish()
        let first = try #require(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) })
        let second = try #require(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) })
        pair.clearActions()
        let megabyte = [UInt8](repeating: 1, count: 1 << 20)
        pair.run(.dialer) { $0.write(megabyte, on: first, actions: &$1) }
        pair.run(.dialer) { $0.write(megabyte, on: second, actions: &$1) }
        _ = pair.output(of: .dialer)
        let order = pair.dialerActions.events.compactMap { if case .sealed(let id, _) = $0 { id } else { nil } }
        #expect(order.count == 32)
        let chunksPerTurn = ActiveState.chunksPerTurn
        for (turn, start) in stride(from: 0, to: order.count, by: chunksPerTurn).enumerated() {
            #expect(Set(order[start..<start + chunksPerTurn]) == [turn.isMultiple(of: 2) ? first : second])
        }
    }

    @Test func aWriteAfterFinishFailsAndTheTokenSaysWhy() async throws {
        var pair = try await SessionPair()
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) })
        pair.run(.dialer) { $0.write([], on: id, fin: true, actions: &$1) }
        pair.run(.dialer) { $0.write([1], on: id, token: 1, actions: &$1) }
        pair.run(.dialer) { $0.write([1], on: 999, token: 2, actions: &$1) }
        #expect(pair.dialerActions.milestones.contains(.writeFailed(1, .closedLocally(nil))))
        #expect(pair.dialerActions.milestones.contains(.writeFailed(2, .unknown)))
    }

    // MARK: - Read pausing for peers without fc1

    @Test func readsPauseWhileAPeerWithoutFlowControlIsAheadOfTheReader() async throws {
        var pair = try await SessionPair(dialerCapabilities: [], listenerCapabilities: [], receiveBuffer: 100_000)
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) })
        pair.run(.dialer) { $0.write([UInt8](repeating: 2, count: 300_000), on: id, actions: &$1) }
        pair.exchange()
        #expect(pair.listenerActions.milestones.filter { $0 == .pauseReads }.count == 1)
        pair.run(.listener) { $0.consumed(id, byteCount: 150_000, actions: &$1) }
        #expect(!pair.listenerActions.milestones.contains(.resumeReads))
        pair.run(.listener) { $0.consumed(id, byteCount: 150_000, actions: &$1) }
        #expect(pair.listenerActions.milestones.last == .resumeReads)
    }

    // MARK: - Ending

    @Test func anUnansweredPingEndsTheSessionWithTimeout() async throws {
        var pair = try await SessionPair(keepalive: .init(interval: 30, timeout: 10))
        pair.establish()
        pair.now.uptime += .seconds(30)
        pair.now.unixSeconds += 30
        pair.tick(.dialer)
        #expect(!pair.output(of: .dialer).isEmpty)  // PING 1, lost on the way
        pair.now.uptime += .seconds(10)
        pair.now.unixSeconds += 10
        pair.tick(.dialer)
        #expect(!pair.dialer.isClosed)
        pair.now.uptime += .seconds(1)
        pair.now.unixSeconds += 1
        pair.tick(.dialer)
        #expect(pair.dialerActions.milestones.last == .close(SessionEnd(.session, code: .timeout, reason: "no PONG for PING 1")))
        #expect(pair.dialer.isClosed)
    }

    @Test func aFrameThatFailsToDecryptEndsTheSession() async throws {
        var pair = try await SessionPair()
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) })
        pair.run(.dialer) { $0.write([1, 2, 3], on: id, actions: &$1) }
        var bytes = pair.output(of: .dialer)
        bytes[bytes.count - 1] ^= 1
        pair.deliver(bytes, to: .listener)
        #expect(pair.listenerActions.milestones.last == .close(SessionEnd(.session, code: .authFailed, reason: "a frame failed to decrypt")))
    }

    @Test func closingWithACodeSendsErrorAndThenNothing() async throws {
        var pair = try await SessionPair()
        pair.establish()
        pair.run(.dialer) { $0.close(code: .internalError, actions: &$1) }
        #expect(pair.dialerActions.milestones.last == .close(SessionEnd(.session, code: nil, reason: nil)))
        let lastWords = pair.output(of: .dialer)
        #expect(pair.run(.dialer) { $0.openStream(label: nil, actions: &$1) } == nil)
        pair.run(.dialer) { $0.write([1], on: 0, token: 3, actions: &$1) }
        #expect(pair.dialerActions.milestones.last == .writeFailed(3, .unknown))
        #expect(pair.output(of: .dialer).isEmpty)
        pair.deliver(lastWords, to: .listener)
        #expect(pair.listenerActions.milestones.last == .close(SessionEnd(.session, code: .internalError, reason: nil)))
    }

    @Test func anOversizedFrameBeforeAuthenticationIsRefusedFromItsPrefix() async throws {
        var pair = try await SessionPair()
        let now = pair.now
        pair.run(.listener) { $0.start(now: now, actions: &$1) }
        var prefix: [UInt8] = []
        Varint.encode(UInt64(FramingLimits.unauthenticatedFrameLength + 1), into: &prefix)
        pair.deliver(prefix, to: .listener)
        guard case .close(let end)? = pair.listenerActions.milestones.last else {
            Issue.record("no close: \(pair.listenerActions.milestones)")
            return
        }
        #expect(end.phase == .handshake)
        #expect(end.code == .messageTooLarge)
    }

    @Test func theRemoteHangingUpWithNothingOwedEndsTheSessionCleanly() async throws {
        var pair = try await SessionPair()
        pair.establish()
        pair.run(.dialer) { $0.transportClosed(actions: &$1) }
        #expect(pair.dialerActions.milestones.last == .close(SessionEnd(.session, code: nil, reason: "connection closed by peer")))
        #expect(pair.dialer.nextDeadline == nil)
    }

    /// A remote that finished its side of every stream has said everything: its hang-up (or the
    /// reset that often carries it) is a clean end even while our side of a stream is still open.
    @Test func theRemoteHangingUpAfterFinishingItsStreamsEndsTheSessionCleanly() async throws {
        var pair = try await SessionPair()
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "echo", actions: &$1) })
        pair.run(.dialer) { $0.write(Array("ping".utf8), on: id, actions: &$1) }
        pair.exchange()
        pair.run(.listener) { $0.write(Array("pong".utf8), on: id, fin: true, actions: &$1) }
        pair.exchange()
        pair.run(.dialer) { $0.transportClosed(error: "connection reset by peer", actions: &$1) }
        #expect(pair.dialerActions.milestones.last == .close(SessionEnd(.session, code: nil, reason: "connection reset by peer")))
    }

    /// A remote that vanishes while a stream still waits for its bytes cut a transfer off: the
    /// session ends with CONNECTION_CLOSED and the cause (EOF or the transport's error).
    @Test(arguments: [nil, "connection reset by peer"])
    func theRemoteVanishingMidStreamEndsTheSessionWithTheCause(error: String?) async throws {
        var pair = try await SessionPair()
        pair.establish()
        let id = try #require(pair.run(.dialer) { $0.openStream(label: "echo", actions: &$1) })
        pair.run(.dialer) { $0.write(Array("ping".utf8), on: id, fin: true, actions: &$1) }
        pair.exchange()
        pair.run(.listener) { $0.write(Array("po".utf8), on: id, actions: &$1) }
        pair.exchange()
        pair.run(.dialer) { $0.transportClosed(error: error, actions: &$1) }
        let reason = error ?? "connection closed by peer"
        #expect(pair.dialerActions.milestones.last == .close(SessionEnd(.session, code: .connectionClosed, reason: reason)))
        #expect(pair.dialer.nextDeadline == nil)
    }
}
