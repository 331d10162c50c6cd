import Foundation
import SNaP2PWire

/// One wallet in a ``WalletStore``, as listed without the password.
public struct StoredWallet: Hashable, Sendable {
    /// 16 random bytes in hex; the file is `<id>.wallet.json`.
    public let id: String
    /// The display name (`displayName` in the files).
    public let name: String
    /// Account 0's address, which also tells the network.
    public let address: StacksAddress
    /// When the wallet was stored (ISO 8601, as written in the registry).
    public let createdAt: String
    /// When the wallet was last created or unlocked (ISO 8601).
    public let lastUsed: String
    /// Whether this is the registry's current wallet (the one created or unlocked last).
    public let isCurrent: Bool

    /// The network of ``address``.
    public var network: StacksNetwork { address.network }
}

/// Password-encrypted seed phrases on disk, in the reference's format (PROTOCOL.md §8), so the Swift
/// and TypeScript tools open each other's wallets.
///
/// Layout: `registry.json` lists the wallets; each is `<id>.wallet.json`, holding its seed phrase
/// sealed with AES-256-GCM under an scrypt key (about 0.6 s per password check). The directory is
/// 0700, files 0600, writes are atomic, and a wallet file anyone else can read is refused.
/// Wallets are named by their display name or id.
public struct WalletStore: Sendable {
    /// The shortest password accepted for new wallets (the reference's rule).
    public static let minimumPasswordLength = 12
    /// The longest display name accepted.
    public static let maximumNameLength = 64
    static let registryFileName = "registry.json"
    static let maximumRegistryBytes = 1 << 20
    static let maximumWalletFileBytes = 64 << 10

    /// The files' directory.
    var files: WalletDirectory

    /// The directory the store uses.
    public var directory: String { files.path }

    /// A store in `directory`, or by default `$SNAP2P_HOME/wallets` when `SNAP2P_HOME` is set, else
    /// `~/.snap2p/wallets` (the reference's location). Nothing is created until something is stored.
    public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        files = WalletDirectory(path: directory ?? Self.defaultDirectory(environment: environment))
    }

    /// `$SNAP2P_HOME/wallets`, else `$HOME/.snap2p/wallets`.
    public static func defaultDirectory(environment: [String: String]) -> String {
        if let home = environment["SNAP2P_HOME"], !home.isEmpty { return home + "/wallets" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.snap2p/wallets"
    }

    // MARK: Listing

    /// The stored wallets, in the registry's order. Needs no password.
    public func list() throws(WalletStoreError) -> [StoredWallet] {
        let registry = try readRegistry()
        var wallets: [StoredWallet] = []
        for entry in registry.accounts {
            wallets.append(try storedWallet(entry, current: registry.currentAccountId))
        }
        return wallets
    }

    /// The wallet with this name or id.
    public func wallet(_ nameOrID: String) throws(WalletStoreError) -> StoredWallet {
        let registry = try readRegistry()
        return try storedWallet(registry.accounts[try index(of: nameOrID, in: registry)], current: registry.currentAccountId)
    }

    // MARK: Adding

    /// Generates a 24-word phrase and stores it. The phrase is returned so it can be shown once.
    public func create(
        name: String, password: String, network: StacksNetwork
    ) throws(WalletStoreError) -> (wallet: StoredWallet, mnemonic: Mnemonic) {
        let mnemonic = Mnemonic.generate()
        return (try restore(mnemonic, name: name, password: password, network: network), mnemonic)
    }

    /// Stores an existing phrase under a new name; its address is account 0's on `network`.
    public func restore(
        _ mnemonic: Mnemonic, name: String, password: String, network: StacksNetwork
    ) throws(WalletStoreError) -> StoredWallet {
        let name = try Self.validatedName(name)
        guard password.count >= Self.minimumPasswordLength else {
            throw .passwordTooShort(minimum: Self.minimumPasswordLength)
        }
        // Checked again under the lock; checking now spares a wait for scrypt.
        guard try !readRegistry().accounts.contains(where: { $0.displayName == name }) else { throw .nameTaken(name) }
        let address: StacksAddress
        do {
            address = try LocalWallet(mnemonic: mnemonic, network: network).principal.address
        } catch {
            throw .derivation(error)
        }
        // scrypt runs before the lock is taken: other processes need not wait for it.
        var phrase = Array(mnemonic.phrase.utf8)
        defer { secureZero(&phrase) }
        let sealed = try WalletEncryption.seal(phrase, password: password)

        return try files.withExclusiveLock { () throws(WalletStoreError) -> StoredWallet in
            var registry = try readRegistry()
            guard !registry.accounts.contains(where: { $0.displayName == name }) else { throw .nameTaken(name) }
            let id = Hex.encode(SecureRandom.bytes(16))
            let now = Self.timestamp()
            let file = WalletFile(
                version: WalletFile.currentVersion, network: network, address: address.description,
                displayName: name, createdAt: now, crypto: sealed)
            try files.replace(Self.walletFileName(id), with: Array(file.json.text.utf8))
            registry.accounts.append(
                WalletRegistry.Entry(id: id, address: address.description, displayName: name, createdAt: now, lastUsed: now))
            registry.currentAccountId = id
            do throws(WalletStoreError) {
                try writeRegistry(registry)
            } catch {
                // Leave no encrypted phrase behind that no registry entry points to.
                try? files.remove(Self.walletFileName(id))
                throw error
            }
            return try storedWallet(registry.accounts[registry.accounts.count - 1], current: id)
        }
    }

    // MARK: Using

    /// The seed phrase of a wallet (to back it up or move it to another wallet app).
    public func exportMnemonic(_ nameOrID: String, password: String) throws(WalletStoreError) -> Mnemonic {
        let registry = try readRegistry()
        return try decrypt(registry.accounts[try index(of: nameOrID, in: registry)].id, password: password).mnemonic
    }

    /// The signing wallet of account `accountIndex`, on the wallet file's network. Records the wallet
    /// as used last, as the reference does when it unlocks one.
    public func unlock(_ nameOrID: String, password: String, accountIndex: UInt32 = 0) throws(WalletStoreError) -> LocalWallet {
        let id = try wallet(nameOrID).id
        let (mnemonic, network) = try decrypt(id, password: password)
        let wallet: LocalWallet
        do {
            wallet = try LocalWallet(mnemonic: mnemonic, accountIndex: accountIndex, network: network)
        } catch {
            throw .derivation(error)
        }
        try files.withExclusiveLock { () throws(WalletStoreError) in
            var registry = try readRegistry()
            guard let index = registry.accounts.firstIndex(where: { $0.id == id }) else { throw .walletNotFound(nameOrID) }
            registry.accounts[index].lastUsed = Self.timestamp()
            registry.currentAccountId = id
            try writeRegistry(registry)
        }
        return wallet
    }

    /// The addresses and public keys of the wallet's accounts `0 ..< count`, on its network.
    public func accounts(_ nameOrID: String, password: String, count: UInt32) throws(WalletStoreError) -> [StacksAccount] {
        let registry = try readRegistry()
        let (mnemonic, network) = try decrypt(registry.accounts[try index(of: nameOrID, in: registry)].id, password: password)
        do {
            return try mnemonic.stacksAccounts(0..<count, network: network)
        } catch {
            throw .derivation(error)
        }
    }

    // MARK: Changing

    /// Renames a wallet (registry and wallet file). Needs no password: the phrase is not touched.
    public func rename(_ nameOrID: String, to newName: String) throws(WalletStoreError) -> StoredWallet {
        let newName = try Self.validatedName(newName)
        return try files.withExclusiveLock { () throws(WalletStoreError) -> StoredWallet in
            var registry = try readRegistry()
            let index = try index(of: nameOrID, in: registry)
            let id = registry.accounts[index].id
            guard !registry.accounts.contains(where: { $0.displayName == newName && $0.id != id }) else {
                throw .nameTaken(newName)
            }
            var file = try readWalletFile(id)
            file.displayName = newName
            try files.replace(Self.walletFileName(id), with: Array(file.json.text.utf8))
            registry.accounts[index].displayName = newName
            try writeRegistry(registry)
            return try storedWallet(registry.accounts[index], current: registry.currentAccountId)
        }
    }

    /// Deletes a wallet: its registry entry first (so it is never listed without a file), then its
    /// file and its alias card.
    /// Without a backup of the phrase, its keys are gone.
    public func delete(_ nameOrID: String) throws(WalletStoreError) {
        try files.withExclusiveLock { () throws(WalletStoreError) in
            var registry = try readRegistry()
            let index = try index(of: nameOrID, in: registry)
            let id = registry.accounts.remove(at: index).id
            if registry.currentAccountId == id { registry.currentAccountId = registry.accounts.first?.id }
            try writeRegistry(registry)
            try files.remove(Self.walletFileName(id))
            try files.remove(Self.aliasCardFileName(id))
        }
    }

    // MARK: Files

    static func walletFileName(_ id: String) -> String { "\(id).wallet.json" }

    private func readRegistry() throws(WalletStoreError) -> WalletRegistry {
        let path = files.filePath(Self.registryFileName)
        guard let bytes = try files.contents(of: Self.registryFileName, maximumBytes: Self.maximumRegistryBytes, ownerOnly: false) else {
            return .empty
        }
        let registry: WalletRegistry = try Self.decode(bytes, path: path)
        guard registry.version == WalletRegistry.currentVersion else {
            throw .malformedFile(path: path, reason: "unsupported version \(registry.version)")
        }
        // An id names `<id>.wallet.json` in this directory: a slash would reach other directories
        // (a delete unlinked `../x.wallet.json`), a NUL would end the path early.
        if let entry = registry.accounts.first(where: { $0.id.contains("/") || $0.id.contains("\u{0}") }) {
            throw .malformedFile(path: path, reason: "wallet id \"\(entry.id)\" is not a file name")
        }
        return registry
    }

    private func writeRegistry(_ registry: WalletRegistry) throws(WalletStoreError) {
        try files.replace(Self.registryFileName, with: Array(registry.json.text.utf8))
    }

    private func readWalletFile(_ id: String) throws(WalletStoreError) -> WalletFile {
        let name = Self.walletFileName(id)
        let path = files.filePath(name)
        guard let bytes = try files.contents(of: name, maximumBytes: Self.maximumWalletFileBytes, ownerOnly: true) else {
            throw .fileSystem(operation: "open", path: path, errno: ENOENT)
        }
        let file: WalletFile = try Self.decode(bytes, path: path)
        guard file.version == WalletFile.currentVersion else {
            throw .malformedFile(path: path, reason: "unsupported version \(file.version)")
        }
        return file
    }

    /// Decrypts a wallet's phrase and checks it gives the address its file records.
    private func decrypt(_ id: String, password: String) throws(WalletStoreError) -> (mnemonic: Mnemonic, network: StacksNetwork) {
        let file = try readWalletFile(id)
        let path = files.filePath(Self.walletFileName(id))
        var plaintext = try WalletEncryption.open(file.crypto, password: password, path: path)
        defer { secureZero(&plaintext) }
        guard let mnemonic = try? Mnemonic(phrase: String(decoding: plaintext, as: UTF8.self)) else {
            throw .malformedFile(path: path, reason: "the decrypted text is not a BIP-39 seed phrase")
        }
        guard let wallet = try? LocalWallet(mnemonic: mnemonic, network: file.network),
              wallet.principal.address.description == file.address
        else { throw .addressMismatch(path: path) }
        return (mnemonic, file.network)
    }

    private static func decode<T: Decodable>(_ bytes: [UInt8], path: String) throws(WalletStoreError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .malformedFile(path: path, reason: "\(error)")
        }
    }

    private func storedWallet(_ entry: WalletRegistry.Entry, current: String?) throws(WalletStoreError) -> StoredWallet {
        guard let address = try? StacksAddress(entry.address) else {
            throw .malformedFile(path: files.filePath(Self.registryFileName), reason: "\"\(entry.address)\" is not a Stacks address")
        }
        return StoredWallet(
            id: entry.id, name: entry.displayName, address: address, createdAt: entry.createdAt,
            lastUsed: entry.lastUsed, isCurrent: entry.id == current)
    }

    /// The registry position of the wallet with this id, else with this display name.
    private func index(of nameOrID: String, in registry: WalletRegistry) throws(WalletStoreError) -> Int {
        if let index = registry.accounts.firstIndex(where: { $0.id == nameOrID }) { return index }
        let matches = registry.accounts.indices.filter { registry.accounts[$0].displayName == nameOrID }
        guard let first = matches.first else { throw .walletNotFound(nameOrID) }
        guard matches.count == 1 else { throw .ambiguousName(nameOrID, ids: matches.map { registry.accounts[$0].id }) }
        return first
    }

    private static func validatedName(_ name: String) throws(WalletStoreError) -> String {
        guard !name.isEmpty else { throw .invalidName("the name is empty") }
        guard name.count <= maximumNameLength else { throw .invalidName("longer than \(maximumNameLength) characters") }
        guard name.trimmingCharacters(in: .whitespacesAndNewlines) == name else {
            throw .invalidName("leading or trailing whitespace")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidName("control characters")
        }
        return name
    }

    /// Now, as JavaScript's `toISOString()` writes it: `2026-11-27T17:15:22.472Z`.
    private static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
