import Foundation
import Testing
import TestSupport
@testable import SNaP2PIdentity

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("snap2p-wallets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ name: String) -> URL { URL(fileURLWithPath: path).appendingPathComponent(name) }

    /// A copy of the wallet directory the reference wrote (password `correct horse battery`), with
    /// the modes the reference gives it (git stores the fixtures 0644).
    static func withReferenceWallet(fileMode: Int = 0o600) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for name in [WalletStoreFixture.walletFileName, WalletStore.registryFileName] {
            try FileManager.default.copyItem(at: Vectors.referenceWalletDirectory.appendingPathComponent(name), to: directory.url(name))
            try FileManager.default.setAttributes([.posixPermissions: fileMode], ofItemAtPath: directory.url(name).path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        return directory
    }

    func bytes(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
    func text(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }
    func mode(_ name: String?) throws -> Int {
        let path = name.map { url($0).path } ?? self.path
        return try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int
    }
    var fileNames: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// reference.json `wallets.wallet_manager` and the files beside it.
enum WalletStoreFixture {
    static var manager: [String: Any] { Vectors.value(Vectors.reference, "wallets", "wallet_manager") as! [String: Any] }
    static var password: String { manager["password"] as! String }
    static var phrase: String { manager["mnemonic"] as! String }
    static var walletFileName: String { manager["wallet_file_name"] as! String }
    static var walletID: String { (manager["account"] as! [String: Any])["id"] as! String }
    static let address = "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W"
    static var generatedAccounts: [[String: Any]] {
        Vectors.value(Vectors.reference, "wallets", "generateWallet", 0, "accounts") as! [[String: Any]]
    }

    /// The JSON object keys of a file's text, in order of appearance (nested ones included).
    static func keySequence(_ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "\"([A-Za-z]+)\": ")
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
            String(text[Range($0.range(at: 1), in: text)!])
        }
    }
}

@Suite struct WalletStoreTests {
    // MARK: Compatibility with the reference

    @Test func referenceDirectoryOpens() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        let store = WalletStore(directory: directory.path)
        let listed = try store.list()
        #expect(listed.count == 1)
        let wallet = try #require(listed.first)
        #expect(wallet.id == WalletStoreFixture.walletID)
        #expect(wallet.name == "vector")
        #expect(wallet.address.description == WalletStoreFixture.address)
        #expect(wallet.network == .mainnet)
        #expect(wallet.createdAt == "2026-11-27T17:15:22.474Z")
        #expect(wallet.isCurrent)

        let walletFileBefore = try directory.bytes(WalletStoreFixture.walletFileName)
        let unlocked = try store.unlock("vector", password: WalletStoreFixture.password)
        #expect(unlocked.principal.address.description == WalletStoreFixture.address)
        #expect(unlocked.network == .mainnet)
        // Unlocking records the use, like the reference; the wallet file itself is not rewritten.
        #expect(try directory.bytes(WalletStoreFixture.walletFileName) == walletFileBefore)
        #expect(try store.list()[0].lastUsed != "2026-11-27T17:15:23.650Z")
    }

    @Test func referenceFileTextRoundTripsByteForByte() throws {
        let text = WalletStoreFixture.manager["wallet_file_text"] as! String
        #expect(try TemporaryDirectory.withReferenceWallet().text(WalletStoreFixture.walletFileName) == text)
        let file = try JSONDecoder().decode(WalletFile.self, from: Data(text.utf8))
        #expect(file.json.text == text)
        let registryText = try String(
            contentsOf: Vectors.referenceWalletDirectory.appendingPathComponent(WalletStore.registryFileName), encoding: .utf8)
        let registry = try JSONDecoder().decode(WalletRegistry.self, from: Data(registryText.utf8))
        #expect(registry.json.text == registryText)
    }

    @Test func restoredReferencePhraseGivesTheRecordedAddresses() throws {
        let directory = try TemporaryDirectory()
        let store = WalletStore(directory: directory.path)
        let mnemonic = try Mnemonic(phrase: WalletStoreFixture.phrase)
        let mainnet = try store.restore(mnemonic, name: "main", password: WalletStoreFixture.password, network: .mainnet)
        #expect(mainnet.address.description == WalletStoreFixture.generatedAccounts[0]["address_mainnet"] as! String)
        let testnet = try store.restore(mnemonic, name: "test", password: WalletStoreFixture.password, network: .testnet)
        #expect(testnet.address.description == WalletStoreFixture.generatedAccounts[0]["address_testnet"] as! String)
        #expect(testnet.network == .testnet)

        let accounts = try store.accounts("test", password: WalletStoreFixture.password, count: 2)
        #expect(accounts.map(\.address.description) == WalletStoreFixture.generatedAccounts.map { $0["address_testnet"] as! String })
        #expect(accounts.map(\.publicKey.bytes.hex) == WalletStoreFixture.generatedAccounts.map { $0["public_key"] as! String })
        let file = try JSONSerialization.jsonObject(with: directory.bytes(WalletStore.walletFileName(testnet.id))) as! [String: Any]
        #expect(file["network"] as? String == "testnet")
    }

    @Test func swiftWrittenWalletHasTheReferenceLayoutAndReopens() throws {
        let directory = try TemporaryDirectory()
        let created = try WalletStore(directory: directory.path).restore(
            Mnemonic(phrase: WalletStoreFixture.phrase), name: "vector", password: WalletStoreFixture.password, network: .mainnet)
        #expect(created.id.count == 32 && created.id.allSatisfy(\.isHexDigit))

        let walletText = try directory.text(WalletStore.walletFileName(created.id))
        let referenceText = WalletStoreFixture.manager["wallet_file_text"] as! String
        #expect(WalletStoreFixture.keySequence(walletText) == WalletStoreFixture.keySequence(referenceText))
        #expect(WalletStoreFixture.keySequence(walletText)
            == ["version", "network", "address", "displayName", "createdAt", "crypto", "salt", "iv", "tag", "ciphertext", "kdf"])
        let file = try JSONSerialization.jsonObject(with: Data(walletText.utf8)) as! [String: Any]
        let crypto = file["crypto"] as! [String: String]
        #expect(Data(base64Encoded: crypto["salt"]!)?.count == 16)
        #expect(Data(base64Encoded: crypto["iv"]!)?.count == 12)
        #expect(Data(base64Encoded: crypto["tag"]!)?.count == 16)
        #expect(Data(base64Encoded: crypto["ciphertext"]!)?.count == WalletStoreFixture.phrase.utf8.count)
        #expect(crypto["kdf"] == "scrypt")
        #expect((file["createdAt"] as! String).wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
        #expect(!walletText.contains("abandon"))

        let registryText = try directory.text(WalletStore.registryFileName)
        let referenceRegistry = try String(
            contentsOf: Vectors.referenceWalletDirectory.appendingPathComponent(WalletStore.registryFileName), encoding: .utf8)
        #expect(WalletStoreFixture.keySequence(registryText) == WalletStoreFixture.keySequence(referenceRegistry))

        // A second store instance (a later process) decrypts what the first wrote.
        let reopened = WalletStore(directory: directory.path)
        #expect(try reopened.exportMnemonic(created.id, password: WalletStoreFixture.password).phrase == WalletStoreFixture.phrase)
    }

    @Test func filesAreOwnerOnly() throws {
        let parent = try TemporaryDirectory()
        let path = parent.path + "/home/wallets"
        let created = try WalletStore(directory: path).restore(
            Mnemonic(phrase: WalletStoreFixture.phrase), name: "modes", password: WalletStoreFixture.password, network: .mainnet)
        let attributes = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! Int }
        #expect(try attributes(path) == 0o700)
        #expect(try attributes(parent.path + "/home") == 0o700)
        #expect(try attributes(path + "/" + WalletStore.walletFileName(created.id)) == 0o600)
        #expect(try attributes(path + "/" + WalletStore.registryFileName) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            == [WalletStore.walletFileName(created.id), WalletStore.registryFileName].sorted())
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func walletFilesOthersCanReadAreRefused(mode: Int) throws {
        let directory = try TemporaryDirectory.withReferenceWallet(fileMode: mode)
        let path = directory.url(WalletStoreFixture.walletFileName).path
        #expect(throws: WalletStoreError.insecurePermissions(path: path, mode: UInt32(mode))) {
            try WalletStore(directory: directory.path).exportMnemonic("vector", password: WalletStoreFixture.password)
        }
        #expect(WalletStoreError.insecurePermissions(path: path, mode: UInt32(mode)).description.contains("chmod 600"))
    }

    // MARK: Passwords

    @Test func wrongPasswordIsTypedAndChangesNothing() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        let store = WalletStore(directory: directory.path)
        let before = try directory.fileNames.map { try directory.bytes($0) }
        #expect(throws: WalletStoreError.wrongPassword) { try store.unlock("vector", password: "correct horse battery!") }
        #expect(throws: WalletStoreError.wrongPassword) { try store.exportMnemonic(WalletStoreFixture.walletID, password: "") }
        #expect(try directory.fileNames.map { try directory.bytes($0) } == before)
        #expect(WalletStoreFixture.manager["wrong_password"] as? String == "Invalid password")
    }

    @Test func newWalletsNeedTwelveCharacterPasswords() throws {
        let directory = try TemporaryDirectory()
        let store = WalletStore(directory: directory.path)
        #expect(throws: WalletStoreError.passwordTooShort(minimum: 12)) {
            try store.create(name: "short", password: "elevenchars", network: .mainnet)
        }
        #expect(directory.fileNames.isEmpty)
    }

    // MARK: Managing

    @Test func createRenameDeleteAndLookUp() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        let store = WalletStore(directory: directory.path)
        let (created, mnemonic) = try store.create(name: "fresh", password: "a long enough password", network: .testnet)
        #expect(mnemonic.words.count == 24)
        #expect(created.network == .testnet)
        #expect(created.address == (try LocalWallet(mnemonic: mnemonic, network: .testnet)).principal.address)
        #expect(try store.list().map(\.name) == ["vector", "fresh"])
        #expect(try store.list().map(\.isCurrent) == [false, true])

        #expect(throws: WalletStoreError.nameTaken("vector")) {
            try store.restore(mnemonic, name: "vector", password: "a long enough password", network: .mainnet)
        }
        #expect(throws: WalletStoreError.nameTaken("vector")) { try store.rename("fresh", to: "vector") }
        let renamed = try store.rename("fresh", to: "renamed ✓")
        #expect(renamed.id == created.id && renamed.name == "renamed ✓")
        let file = try JSONSerialization.jsonObject(with: directory.bytes(WalletStore.walletFileName(created.id))) as! [String: Any]
        #expect(file["displayName"] as? String == "renamed ✓")
        #expect(try store.wallet(created.id).name == "renamed ✓")

        try store.delete("renamed ✓")
        #expect(try store.list().map(\.name) == ["vector"])
        #expect(try store.list()[0].isCurrent)
        #expect(!directory.fileNames.contains(WalletStore.walletFileName(created.id)))
        #expect(throws: WalletStoreError.walletNotFound("renamed ✓")) { try store.delete("renamed ✓") }
        #expect(throws: WalletStoreError.walletNotFound("nobody")) { try store.wallet("nobody") }
    }

    @Test func namesAreValidated() throws {
        let store = WalletStore(directory: try TemporaryDirectory().path)
        for name in ["", " padded", "tab\there", String(repeating: "x", count: 65)] {
            #expect(throws: WalletStoreError.self) { try store.create(name: name, password: "a long enough password", network: .mainnet) }
            #expect(throws: WalletStoreError.self) { try store.rename("any", to: name) }
        }
    }

    @Test func duplicateNamesFromTheReferenceNeedAnID() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        // The reference does not keep names unique: add a second "vector" entry by hand.
        var registry = try JSONDecoder().decode(WalletRegistry.self, from: directory.bytes(WalletStore.registryFileName))
        var twin = registry.accounts[0]
        twin.id = String(repeating: "ab", count: 16)
        registry.accounts.append(twin)
        try Data(registry.json.text.utf8).write(to: directory.url(WalletStore.registryFileName))
        let store = WalletStore(directory: directory.path)
        #expect(throws: WalletStoreError.ambiguousName("vector", ids: [WalletStoreFixture.walletID, twin.id])) {
            try store.wallet("vector")
        }
        #expect(try store.wallet(WalletStoreFixture.walletID).name == "vector")
    }

    // MARK: Damage

    @Test func interruptedWriteLeavesTheOldFilesIntact() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        var store = WalletStore(directory: directory.path)
        let before = try directory.fileNames.map { try directory.bytes($0) }

        // Rename rewrites the wallet file first: stop it just before the rename(2).
        store.files.interruptBeforeRename = { $0.hasSuffix(".wallet.json") }
        #expect(throws: WalletStoreError.writeInterrupted(path: directory.url(WalletStoreFixture.walletFileName).path)) {
            try store.rename("vector", to: "other")
        }
        #expect(try directory.fileNames.map { try directory.bytes($0) } == before)
        #expect(directory.fileNames == [WalletStoreFixture.walletFileName, WalletStore.registryFileName].sorted())

        // Creating writes the registry last: stopping there leaves neither an entry nor an orphan file.
        store.files.interruptBeforeRename = { $0 == WalletStore.registryFileName }
        #expect(throws: WalletStoreError.writeInterrupted(path: directory.url(WalletStore.registryFileName).path)) {
            try store.restore(Mnemonic(phrase: WalletStoreFixture.phrase), name: "new", password: "a long enough password", network: .mainnet)
        }
        #expect(try directory.fileNames.map { try directory.bytes($0) } == before)
        #expect(try WalletStore(directory: directory.path).exportMnemonic("vector", password: WalletStoreFixture.password).phrase
            == WalletStoreFixture.phrase)
    }

    @Test func alteredAddressIsDetected() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        let name = WalletStoreFixture.walletFileName
        var file = try JSONDecoder().decode(WalletFile.self, from: directory.bytes(name))
        file.address = WalletStoreFixture.generatedAccounts[1]["address_mainnet"] as! String
        try Data(file.json.text.utf8).write(to: directory.url(name))
        #expect(throws: WalletStoreError.addressMismatch(path: directory.url(name).path)) {
            try WalletStore(directory: directory.path).exportMnemonic("vector", password: WalletStoreFixture.password)
        }
    }

    @Test func malformedFilesAreReportedNotReset() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        try Data("{\"version\": 1, \"accounts\": [".utf8).write(to: directory.url(WalletStore.registryFileName))
        let error = #expect(throws: WalletStoreError.self) { try WalletStore(directory: directory.path).list() }
        guard case .malformedFile(let path, _) = error else {
            Issue.record("expected malformedFile, got \(String(describing: error))")
            return
        }
        #expect(path == directory.url(WalletStore.registryFileName).path)
        try Data("{\"version\": 2, \"accounts\": [], \"currentAccountId\": null}".utf8).write(to: directory.url(WalletStore.registryFileName))
        #expect(throws: WalletStoreError.malformedFile(path: directory.url(WalletStore.registryFileName).path, reason: "unsupported version 2")) {
            try WalletStore(directory: directory.path).list()
        }
    }

    /// The wallet-store fuzz target's canary invariant: a registry id names a file in the store's
    /// directory, so one with a slash (or a NUL, which ends the path early) reached other files:
    /// deleting `../outside` unlinked `<store>/../outside.wallet.json`. Such a registry is malformed.
    @Test(arguments: ["../outside", "/tmp/outside", "sub/dir", "registry.json\u{0}"])
    func registryIDsThatAreNotFileNamesAreRefused(id: String) throws {
        let parent = try TemporaryDirectory()
        let store = parent.path + "/store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: false)
        let outside = parent.url("outside.wallet.json")
        try Data(contentsOf: Vectors.referenceWalletDirectory.appendingPathComponent(WalletStoreFixture.walletFileName)).write(to: outside)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: outside.path)
        var registry = try String(contentsOf: Vectors.referenceWalletDirectory.appendingPathComponent(WalletStore.registryFileName), encoding: .utf8)
        let escaped = String(data: try JSONSerialization.data(withJSONObject: [id], options: .fragmentsAllowed), encoding: .utf8)!.dropFirst().dropLast()
        registry = registry.replacingOccurrences(of: "\"id\": \"\(WalletStoreFixture.walletID)\"", with: "\"id\": \(escaped)")
        try Data(registry.utf8).write(to: URL(fileURLWithPath: store + "/" + WalletStore.registryFileName))

        let registryPath = store + "/" + WalletStore.registryFileName
        let refused = WalletStoreError.malformedFile(path: registryPath, reason: "wallet id \"\(id)\" is not a file name")
        #expect(throws: refused) { try WalletStore(directory: store).list() }
        #expect(throws: refused) { try WalletStore(directory: store).delete(id) }
        #expect(throws: refused) { try WalletStore(directory: store).rename(id, to: "moved") }
        #expect(FileManager.default.fileExists(atPath: outside.path))
    }

    @Test func oversizedWalletFileIsRefusedBeforeReading() throws {
        let directory = try TemporaryDirectory.withReferenceWallet()
        let url = directory.url(WalletStoreFixture.walletFileName)
        try Data(count: WalletStore.maximumWalletFileBytes + 1).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        #expect(throws: WalletStoreError.fileTooLarge(path: url.path, maximumBytes: WalletStore.maximumWalletFileBytes)) {
            try WalletStore(directory: directory.path).exportMnemonic("vector", password: WalletStoreFixture.password)
        }
    }

    // MARK: Location

    @Test func directoryDefaultsFollowTheEnvironment() throws {
        #expect(WalletStore(environment: ["SNAP2P_HOME": "/srv/snap2p", "HOME": "/home/u"]).directory == "/srv/snap2p/wallets")
        #expect(WalletStore(environment: ["HOME": "/home/u"]).directory == "/home/u/.snap2p/wallets")
        #expect(WalletStore(directory: "/explicit", environment: ["SNAP2P_HOME": "/srv/snap2p"]).directory == "/explicit")
        #expect(try WalletStore(directory: "/nonexistent/snap2p-test").list().isEmpty)
    }
}
