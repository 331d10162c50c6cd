import SNaP2PDiscovery
import XCTest

final class LocatorTests: XCTestCase {
    func testParsesTheThreeForms() throws {
        let v4 = try Locator("203.0.113.7:9000")
        XCTAssertEqual(v4.kind, .ipv4)
        XCTAssertEqual(v4.host, "203.0.113.7")
        XCTAssertEqual(v4.port, 9000)
        let v6 = try Locator("[2001:DB8::7]:443")
        XCTAssertEqual(v6.kind, .ipv6)
        XCTAssertEqual(v6.host, "2001:db8::7")
        XCTAssertEqual(v6.description, "[2001:db8::7]:443")
        let dns = try Locator("Alice.Example.org:1")
        XCTAssertEqual(dns.kind, .dns)
        XCTAssertEqual(dns.description, "alice.example.org:1")
        XCTAssertEqual(try Locator("[::ffff:192.0.2.1]:80").kind, .ipv6)
        XCTAssertEqual(try Locator("localhost:65535").port, 65535)
    }

    func testRefusesWhatIsNotALocator() {
        for text in [
            "", "203.0.113.7", "203.0.113.7:", "203.0.113.7:0", "203.0.113.7:65536", "203.0.113.7:+80", "203.0.113.7:08080x",
            "2001:db8::7:9000", "[2001:db8::7]", "[2001:db8::7]9000", "[zz::1]:80", "[1::2::3]:80", "[1:2:3:4:5:6:7:8:9]:80",
            "256.1.1.1:80", "01.2.3.4:80", "-bad.example:80", "bad-.example:80", "a..b:80", "exa mple.org:80",
            "ünicode.example:80", "1.2.3:80", String(repeating: "a", count: 300) + ":80",
            "[" + String(repeating: "1", count: 40) + "::]:80",
        ] {
            XCTAssertThrowsError(try Locator(text), text)
        }
    }

    func testWildcardsAreUnspecified() throws {
        XCTAssertTrue(try Locator("0.0.0.0:9000").isUnspecified)
        XCTAssertTrue(try Locator("[::]:9000").isUnspecified)
        XCTAssertFalse(try Locator("127.0.0.1:9000").isUnspecified)
    }
}
