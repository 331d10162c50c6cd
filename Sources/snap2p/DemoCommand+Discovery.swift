import SNaP2P

extension DemoCommand {
    /// `demo --discovery`: three peers in this process. Bob holds a session with alice; carol
    /// knows only alice's principal and bob's address, asks bob over PX-1, and reaches alice.
    func runDiscovery(_ demo: inout DemoTranscript) async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let network: StacksNetwork = testnet ? .testnet : .mainnet
        let (alice, bob, carol) = (
            Peer(configuration: PeerConfiguration(network: network)),
            Peer(configuration: PeerConfiguration(network: network)),
            Peer(configuration: PeerConfiguration(network: network)))
        let style = demo.style
        let aliceName = style.bold(style.magenta("alice"))
        let bobName = style.bold(style.blue("bob"))
        let carolName = style.bold(style.green("carol"))

        demo.title()
        demo.begin("Three fresh throwaway identities (\(network))")
        demo.line("\(aliceName)  \(style.cyan(alice.principal.description))")
        demo.line("\(bobName)    \(style.cyan(bob.principal.description))")
        demo.line("\(carolName)  \(style.cyan(carol.principal.description))")

        demo.begin("\(aliceName) and \(bobName) listen; \(bobName) keeps a session with \(aliceName)")
        let aliceListener = try await alice.listen(host: "127.0.0.1", port: 0)
        let bobListener = try await bob.listen(host: "127.0.0.1", port: 0)
        var aliceArrivals = aliceListener.makeAsyncIterator()
        let bobToAlice = try await bob.dial("127.0.0.1:\(aliceListener.port)")
        guard let aliceToBob = await aliceArrivals.next() else { throw DemoFailure("alice's listener closed") }
        demo.line("\(aliceName) on 127.0.0.1:\(aliceListener.port), \(bobName) on 127.0.0.1:\(bobListener.port)")
        demo.line("\(style.green("✓")) \(bobName) reached \(aliceName) at 127.0.0.1:\(aliceListener.port): "
            + style.dim("now bob knows where alice listens"))

        demo.begin("\(carolName) knows only \(aliceName)'s principal, and \(bobName)'s address")
        let carolToBob = try await carol.dial("127.0.0.1:\(bobListener.port)")
        demo.line("\(carolName) holds a session with \(bobName); both speak PX-1 " + style.dim("(HELLO capability px1)"))

        demo.begin("\(carolName) dials \(style.cyan(alice.principal.description))")
        let resolveStarted = clock.now
        let answers = await carol.resolve(alice.principal)
        for answer in answers { demo.line("\(carolName) asked \(bobName) on a \"px-1\" stream: \(style.dim(answer.description))") }
        let carolToAlice = try await carol.dial(principal: alice.principal)
        let elapsed = PeerEventOutput.format(PeerEventOutput.milliseconds(clock.now - resolveStarted))
        guard carolToAlice.remotePrincipal == alice.principal else { throw DemoFailure("carol reached someone else") }
        demo.line("\(style.green("✓")) connected to \(carolToAlice.remoteAddress ?? "?"), which proved to be \(aliceName) "
            + style.dim("(\(elapsed) ms; a hint is only a hint: any other principal there is refused)"))

        demo.begin("\(carolName) and \(aliceName) talk directly")
        guard let aliceToCarol = await aliceArrivals.next() else { throw DemoFailure("alice's listener closed") }
        await aliceListener.close()
        await bobListener.close()
        let greeting = "Hi alice, bob told me where to find you."
        let carolChat = try await carolToAlice.openStream(label: ChatLineSplitter.streamLabel)
        try await carolChat.write(ChatLineSplitter.encode(greeting))
        var aliceStreams = aliceToCarol.incomingStreams.makeAsyncIterator()
        guard let aliceChat = await aliceStreams.next() else { throw DemoFailure("alice did not get carol's stream") }
        var aliceLines = ChatLineReader(aliceChat)
        guard try await aliceLines.next() == greeting else { throw DemoFailure("alice received something else") }
        demo.line("\(carolName) \(style.dim("›")) \(greeting)")
        let reply = "Welcome, \(carolToAlice.localPrincipal == aliceToCarol.remotePrincipal ? "carol" : "stranger")!"
        try await aliceChat.write(ChatLineSplitter.encode(reply))
        var carolLines = ChatLineReader(carolChat)
        guard try await carolLines.next() == reply else { throw DemoFailure("carol received something else") }
        demo.line("\(aliceName) \(style.dim("›")) \(reply)")

        for connection in [carolToAlice, carolToBob, bobToAlice, aliceToBob, aliceToCarol] { await connection.close() }
        demo.finish(seconds: PeerEventOutput.milliseconds(clock.now - began) / 1000)
    }
}
