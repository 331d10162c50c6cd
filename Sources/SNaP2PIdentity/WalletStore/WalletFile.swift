/// `<id>.wallet.json`: one password-encrypted seed phrase and the account-0 address it gives
/// (PROTOCOL.md §8). Fields and their order are the reference's.
struct WalletFile: Decodable {
    /// The only format version there is.
    static let currentVersion = 1

    var version: Int
    var network: StacksNetwork
    /// Account 0's address on ``network``, readable without the password.
    var address: String
    var displayName: String
    /// ISO 8601 with milliseconds, as JavaScript's `toISOString()` writes it.
    var createdAt: String
    var crypto: Sealed

    /// The encrypted phrase: AES-256-GCM under scrypt(password, salt); all fields base64.
    struct Sealed: Decodable {
        var salt: String
        var iv: String
        var tag: String
        var ciphertext: String
        var kdf: String
    }

    /// The file's text, byte for byte what the reference writes for the same values.
    var json: WalletJSON {
        .object([
            ("version", .integer(version)),
            ("network", .string(network.rawValue)),
            ("address", .string(address)),
            ("displayName", .string(displayName)),
            ("createdAt", .string(createdAt)),
            ("crypto", .object([
                ("salt", .string(crypto.salt)),
                ("iv", .string(crypto.iv)),
                ("tag", .string(crypto.tag)),
                ("ciphertext", .string(crypto.ciphertext)),
                ("kdf", .string(crypto.kdf)),
            ])),
        ])
    }
}

/// `registry.json`: the list of stored wallets and which one was used last. Fields and their order
/// are the reference's.
struct WalletRegistry: Decodable {
    static let currentVersion = 1
    /// What a directory without a registry holds.
    static let empty = WalletRegistry(version: currentVersion, accounts: [], currentAccountId: nil)

    var version: Int
    var accounts: [Entry]
    /// The wallet unlocked or created last; `null` in the file when there is none.
    var currentAccountId: String?

    /// One wallet: the reference calls each stored wallet an "account".
    struct Entry: Decodable {
        var id: String
        var address: String
        var displayName: String
        var createdAt: String
        var lastUsed: String
    }

    var json: WalletJSON {
        .object([
            ("version", .integer(version)),
            ("accounts", .array(accounts.map { entry in
                .object([
                    ("id", .string(entry.id)),
                    ("address", .string(entry.address)),
                    ("displayName", .string(entry.displayName)),
                    ("createdAt", .string(entry.createdAt)),
                    ("lastUsed", .string(entry.lastUsed)),
                ])
            })),
            ("currentAccountId", currentAccountId.map { .string($0) } ?? .null),
        ])
    }
}
