import Foundation
import SNaP2PIdentity

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wallet store's files: `registry.json` and `<id>.wallet.json` (the reference's format), as
/// found on disk, through the public `WalletStore` API in a scratch directory (on /dev/shm where
/// there is one, so the store's fsyncs cost nothing). Password checks are left out: each costs an
/// scrypt of 128 MiB.
///
/// Checks: listing, renaming and deleting never touch a file outside the store's directory (a
/// canary wallet file sits next to it); a rename rewrites the registry and the wallet file so they
/// read back with every other field unchanged (the JSON writer round-trips any string the reader
/// accepted), and renaming back gives the same bytes; a delete removes exactly its entry and file.
enum WalletStoreTarget {
    static let root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
    static let prefix = "snap2p-fuzz-wallets-"
    static let base = "\(root)/\(prefix)\(getpid())"
    static var storePath: String { base + "/store" }
    static var canaryPath: String { base + "/canary.wallet.json" }

    static let target = FuzzTarget("wallet-store", dictionary: "wallet-store", prepare: prepare) { bytes in
        var input = FuzzInput(bytes)
        let mode = input.int(in: 0...2)
        resetStore()
        let store = WalletStore(directory: storePath)
        if mode == 1 {
            let contents = input.rest()
            writeFile(storePath + "/registry.json", Array(referenceRegistry.utf8))
            writeFile(storePath + "/\(referenceID).wallet.json", contents)
            checkWalletFile(store, contents)
        } else {
            writeFile(storePath + "/registry.json", mode == 0 ? input.rest() : builtRegistry(&input))
            writeFile(storePath + "/\(referenceID).wallet.json", Array(referenceWalletFile.utf8))
            checkRegistry(store)
        }
        invariant(readFile(canaryPath) == Array(referenceWalletFile.utf8), "the store changed a file outside its directory")
        invariant(entries(base) == ["canary.wallet.json", "store"], "the store created files outside its directory: \(entries(base))")
    }

    static func prepare() {
        // A crashed run never reached its atexit: remove scratch directories of processes now gone.
        for name in entries(root) where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            removeScratch(root + "/" + name)
        }
        mkdir(base, 0o700)
        mkdir(storePath, 0o700)
        writeFile(canaryPath, Array(referenceWalletFile.utf8))
        // Remove the scratch directory when libFuzzer exits.
        atexit { WalletStoreTarget.removeScratch(WalletStoreTarget.base) }
    }

    /// Removes a scratch directory: the store's files, the store, the canary, the directory.
    static func removeScratch(_ directory: String) {
        for name in entries(directory + "/store") { unlink(directory + "/store/" + name) }
        rmdir(directory + "/store")
        for name in entries(directory) { unlink(directory + "/" + name) }
        rmdir(directory)
    }

    /// A well-formed registry whose strings the fuzzer picks (raw JSON rarely keeps its shape
    /// through mutation): ids, names and dates, with the reference's id and address by default.
    static func builtRegistry(_ input: inout FuzzInput) -> [UInt8] {
        func text(_ input: inout FuzzInput) -> String { String(decoding: input.zeroTerminatedBytes(maximum: 64), as: UTF8.self) }
        var accounts: [[String: Any]] = []
        for _ in 0..<input.int(in: 1...3) {
            accounts.append([
                "id": input.bool() ? text(&input) : referenceID,
                "address": input.bool() ? text(&input) : referenceAddress,
                "displayName": text(&input),
                "createdAt": text(&input),
                "lastUsed": text(&input),
            ])
        }
        let registry: [String: Any] = [
            "version": 1, "accounts": accounts, "currentAccountId": input.bool() ? text(&input) : referenceID,
        ]
        return Array((try? JSONSerialization.data(withJSONObject: registry)) ?? Data())
    }

    /// List, rename the first wallet, delete the last; each step's result must agree with the last.
    static func checkRegistry(_ store: WalletStore) {
        guard let listed = try? store.list() else { return }
        // One current wallet (entries may share an id in a registry nobody wrote well).
        invariant(Set(listed.filter(\.isCurrent).map(\.id)).count <= 1, "several current wallets")
        guard let first = listed.first else { return }

        if let renamed = try? store.rename(first.id, to: "fuzz renamed") {
            invariant(renamed.id == first.id && renamed.name == "fuzz renamed", "rename returned \(renamed)")
            let after = (try? store.list()) ?? []
            invariant(after.count == listed.count, "a rename changed the number of wallets")
            for (index, (old, new)) in zip(listed, after).enumerated() {
                let name = index == 0 ? "fuzz renamed" : old.name
                invariant(
                    new.id == old.id && new.name == name && new.address == old.address && new.createdAt == old.createdAt
                        && new.lastUsed == old.lastUsed && new.isCurrent == old.isCurrent,
                    "after a rename the registry reads \(new), was \(old)")
            }
        }
        guard let before = try? store.list(), let last = before.last else { return }
        if (try? store.delete(last.id)) != nil {
            let after = (try? store.list()) ?? []
            invariant(after.map(\.id) == before.dropLast().map(\.id) || before.filter({ $0.id == last.id }).count > 1, "a delete removed other entries")
            invariant(access(storePath + "/\(last.id).wallet.json", F_OK) != 0, "a delete left the wallet file")
        }
    }

    /// Rename through a fuzzed wallet file: what the reader accepted must come back unchanged.
    static func checkWalletFile(_ store: WalletStore, _ contents: [UInt8]) {
        let path = storePath + "/\(referenceID).wallet.json"
        guard (try? store.rename(referenceID, to: "fuzz renamed")) != nil else { return }
        let first = readFile(path)
        if let original = fields(contents), let rewritten = fields(first) {
            var expected = original
            expected.displayName = "fuzz renamed"
            invariant(rewritten == expected, "rename changed the wallet file's fields: \(rewritten) from \(original)")
        }
        invariant((try? store.rename(referenceID, to: "other name")) != nil, "a rewritten wallet file cannot be renamed again")
        invariant((try? store.rename(referenceID, to: "fuzz renamed")) != nil, "renaming back failed")
        invariant(readFile(path) == first, "renaming back gave other bytes")
    }

    /// The wallet file's fields, read with the decoder the store uses (so a key given twice reads
    /// the same way: JSONDecoder keeps the first, where JSON.parse keeps the last).
    struct Fields: Decodable, Equatable {
        struct Sealed: Decodable, Equatable {
            var salt, iv, tag, ciphertext, kdf: String
        }

        var version: Int
        var network, address, displayName, createdAt: String
        var crypto: Sealed
    }

    static func fields(_ bytes: [UInt8]?) -> Fields? {
        bytes.flatMap { try? JSONDecoder().decode(Fields.self, from: Data($0)) }
    }

    // MARK: - Files

    static func resetStore() {
        for name in entries(storePath) { unlink(storePath + "/" + name) }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot write \(path)")
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            precondition(count > 0, "cannot write \(path)")
            offset += count
        }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        InputFiles.read(path)
    }

    static func entries(_ path: String) -> [String] {
        InputFiles.list(path).map { String($0.dropFirst(path.count + 1)) }
    }

    /// The reference's files (Tests/TestSupport/Fixtures/reference-wallet), the seeds' shape.
    static let referenceID = "5539bee28ca4d7ae3e386ea8bb4d8f32"
    static let referenceAddress = "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W"
    static let referenceRegistry = """
        {
          "version": 1,
          "accounts": [
            {
              "id": "5539bee28ca4d7ae3e386ea8bb4d8f32",
              "address": "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W",
              "displayName": "vector",
              "createdAt": "2026-11-27T17:15:22.474Z",
              "lastUsed": "2026-11-27T17:15:23.650Z"
            }
          ],
          "currentAccountId": "5539bee28ca4d7ae3e386ea8bb4d8f32"
        }
        """
    static let referenceWalletFile = """
        {
          "version": 1,
          "network": "mainnet",
          "address": "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W",
          "displayName": "vector",
          "createdAt": "2026-11-27T17:15:22.472Z",
          "crypto": {
            "salt": "kgfKtMc3RJkfPdgZnSiiDA==",
            "iv": "yQJVwgUmQLYdm4Y1",
            "tag": "SjGJY1+NgRHdYqvYIfbJnQ==",
            "ciphertext": "1os6bgjZcyNKtzibA2aYQoAppMU6EFni1LNGQE4xtNz5zR0GLC2Xn26Qd0TLHo9z/udti3DlCai8i7sEN//AqB5YCDOKnxI20NsCk3UpuM/Mg6oIwO9AV4ZxiI17qQlSqXtmXo+JQp1QJ9APyLKCc8J2cn94AdjG0Fw58W8coSUU1rZQtsSc2JRx6n6kYC1xifmqSUx9z1j279XPH5MNWrOt+YpUtxy4ZOaXCKcmADZiJnBL3JXANfsdLA==",
            "kdf": "scrypt"
          }
        }
        """
}
