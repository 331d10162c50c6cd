import SNaP2PDiscovery
import Testing

@Suite struct LocatorTests {
    @Test func parsesTheThreeForms() throws {
        let v4 = try Locator("203.0.113.7:9000")
        #expect(v4.kind == .ipv4)
        #expect(v4.host == "203.0.113.7")
        #expect(v4.port == 9000)
        let v6 = try Locator("[2001:DB8::7]:443")
        #expect(v6.kind == .ipv6)
        #expect(v6.host == "2001:db8::7")
        #expect(v6.description == "[2001:db8::7]:443")
        let dns = try Locator("Alice.Example.org:1")
        #expect(dns.kind == .dns)
        #expect(dns.description == "alice.example.org:1")
        #expect(try Locator("[::ffff:192.0.2.1]:80").kind == .ipv6)
        #expect(try Locator("localhost:65535").port == 65535)
        #expect(try Locator(host: "::1", port: 9).description == "[::1]:9")
    }

    @Test(arguments: [
        "", "203.0.113.7", "203.0.113.7:", "203.0.113.7:0", "203.0.113.7:65536", "203.0.113.7:+80", "203.0.113.7:8080x",
        "2001:db8::7:9000", "[2001:db8::7]", "[2001:db8::7]9000", "[zz::1]:80", "[1::2::3]:80", "[1:2:3:4:5:6:7:8:9]:80",
        "256.1.1.1:80", "01.2.3.4:80", "-bad.example:80", "bad-.example:80", "a..b:80", "exa mple.org:80",
        "ünicode.example:80", "1.2.3:80", "[127.0.0.1]:80",
    ])
    func refusesWhatIsNotALocator(_ text: String) {
        #expect(throws: LocatorError.self) { try Locator(text) }
    }

    @Test func refusesOverlongText() {
        #expect(throws: LocatorError.self) { try Locator(String(repeating: "a", count: 300) + ":80") }
        #expect(throws: LocatorError.self) { try Locator(String(repeating: "a", count: 64) + ".example:80") }
    }

    @Test func relayedLocators() throws {
        let relayed = try Locator("relay:relay.example.org:9100")
        #expect(relayed.isRelay)
        #expect(relayed.kind == .dns)
        #expect(relayed.address == "relay.example.org:9100")
        #expect(relayed.description == "relay:relay.example.org:9100")
        #expect(try Locator("relay:[2001:db8::1]:9100").description == "relay:[2001:db8::1]:9100")
        #expect(try Locator("relay.example.org:9100") != relayed)
        #expect(!(try Locator("relay.example.org:9100").isRelay))
        for text in ["relay:", "relay:relay:1.2.3.4:5", "relay:9100", "relay::9100"] {
            #expect(throws: LocatorError.self, "\(text)") { try Locator(text) }
        }
    }

    @Test func wildcardsAreUnspecified() throws {
        #expect(try Locator("0.0.0.0:9000").isUnspecified)
        #expect(try Locator("[::]:9000").isUnspecified)
        #expect(!(try Locator("127.0.0.1:9000").isUnspecified))
    }
}
