import Foundation
import SNaP2PIdentity
import SNaP2PWire

/// How wallet commands print: aligned text for people, one JSON object per line for scripts.
enum WalletOutput {
    /// Accounts as `wallet derive` and `wallet accounts` print them.
    static func printAccounts(_ accounts: [StacksAccount], json: Bool) throws {
        if json {
            for account in accounts { try JSONLines.print(AccountLine(account)) }
            return
        }
        print("account  address                                    public key")
        for account in accounts {
            print("\(padded("\(account.index)", 8)) \(padded(account.address.description, 42)) \(Hex.encode(account.publicKey.bytes))")
        }
    }

    /// Stored wallets as `wallet list` prints them; the current one is marked `*`.
    static func printWallets(_ wallets: [StoredWallet], json: Bool) throws {
        if json {
            for wallet in wallets { try JSONLines.print(WalletLine(wallet)) }
            return
        }
        let nameWidth = max(4, wallets.map(\.name.count).max() ?? 0)
        print("  \(padded("name", nameWidth))  \(padded("address", 41))  network  created")
        for wallet in wallets {
            let marker = wallet.isCurrent ? "*" : " "
            print("\(marker) \(padded(wallet.name, nameWidth))  \(padded(wallet.address.description, 41))  \(padded(wallet.network.rawValue, 7))  \(wallet.createdAt)")
        }
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A `--json` line describing an account: `account`, `address`, `public_key`.
    struct AccountLine: Encodable {
        let account: UInt32
        let address: String
        let publicKey: String

        init(_ account: StacksAccount) {
            self.account = account.index
            self.address = account.address.description
            self.publicKey = Hex.encode(account.publicKey.bytes)
        }

        enum CodingKeys: String, CodingKey {
            case account, address
            case publicKey = "public_key"
        }
    }

    /// A `--json` line describing a stored wallet: `name`, `address`, `network`, `created_at`, and for
    /// a newly created wallet (only then) its `phrase`.
    struct WalletLine: Encodable {
        let name: String
        let address: String
        let network: String
        let createdAt: String
        let phrase: String?

        init(_ wallet: StoredWallet, phrase: String? = nil) {
            name = wallet.name
            address = wallet.address.description
            network = wallet.network.rawValue
            createdAt = wallet.createdAt
            self.phrase = phrase
        }

        enum CodingKeys: String, CodingKey {
            case name, address, network, phrase
            case createdAt = "created_at"
        }
    }
}
