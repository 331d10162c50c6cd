import Foundation
import Testing

/// `snap2p demo`, the README's first command.
@Suite struct DemoCommandTests {
    @Test func demoShowsBothPrincipalsAuthenticatingAndExitsZero() async throws {
        let result = try await SNaP2PExecutable.run(["demo", "--megabytes", "4"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        let principals = Set(output.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasPrefix("stacks:SP") })
        #expect(principals.count == 2, "\(output)")
        #expect(output.components(separatedBy: "authenticated").count - 1 == 2)
        for principal in principals {
            #expect(output.contains("authenticated alice as \(principal)") || output.contains("authenticated bob as \(principal)"))
        }
        #expect(output.contains("Hi alice! Is this really you?"))
        #expect(output.contains("4 MiB from bob to alice in "))
        #expect(output.contains("every byte checked"))
        #expect(output.contains("MB/s"))
        #expect(output.contains("alice saw the session close cleanly"))
        #expect(output.contains("chat --listen 9000"))
        #expect(output.contains("wallet create"))
        // Not a terminal: no colour codes.
        #expect(!output.contains("\u{1B}["))
    }

    @Test func testnetDemoUsesTestnetPrincipals() async throws {
        let result = try await SNaP2PExecutable.run(["demo", "--testnet", "--megabytes", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("stacks:ST"))
        #expect(!result.standardOutput.contains("stacks:SP"))
    }

    @Test func discoveryDemoReachesAliceByPrincipalThroughBob() async throws {
        let result = try await SNaP2PExecutable.run(["demo", "--discovery"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        let principals = Set(output.split(whereSeparator: { $0 == " " || $0 == "\n" }).filter { $0.hasPrefix("stacks:SP") })
        #expect(principals.count == 3, "\(output)")
        #expect(output.contains("carol asked bob on a \"px-1\" stream: stacks:SP"))
        #expect(output.contains("which proved to be alice"))
        #expect(output.contains("carol › Hi alice, bob told me where to find you."))
        #expect(output.contains("alice › Welcome, carol!"))
    }
}

/// Colour on a terminal, and none with NO_COLOR.
@Suite struct ColourTests {
    @Test func demoIsColouredOnATerminalUnlessNoColorIsSet() async throws {
        let coloured = try await SNaP2PExecutable.runInTerminal(["demo", "--megabytes", "1"], exchanges: [], environment: ["TERM": "xterm"])
        #expect(coloured.status == 0)
        #expect(coloured.screen.contains("\u{1B}[1m"))
        let plain = try await SNaP2PExecutable.runInTerminal(
            ["demo", "--megabytes", "1"], exchanges: [], environment: ["TERM": "xterm", "NO_COLOR": "1"])
        #expect(plain.status == 0)
        #expect(plain.screen.contains("Try it yourself"))
        #expect(!plain.screen.contains("\u{1B}["))
    }
}
