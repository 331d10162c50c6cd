import Crypto
import Testing
import TestSupport
@testable import SNaP2PIdentity

/// reference.json `wallets.generateWallet`: what @stacks/wallet-sdk derives from a seed phrase.
@Suite struct BIP32StacksWalletTests {
    static var generated: [String: Any] { Vectors.value(Vectors.reference, "wallets", "generateWallet", 0) as! [String: Any] }
    static var accounts: [[String: Any]] { generated["accounts"] as! [[String: Any]] }

    let mnemonic: Mnemonic
    let master: ExtendedPrivateKey

    init() throws {
        #expect(Self.generated["bip39_passphrase"] as? String == "")
        mnemonic = try Mnemonic(phrase: Self.generated["mnemonic"] as! String)
        master = try ExtendedPrivateKey(seed: mnemonic.seed())
    }

    @Test func rootKeyMatches() {
        #expect(master.serialized == Self.generated["rootKey"] as! String)
    }

    @Test(arguments: 0..<2)
    func accountKeysAndAddressesMatch(_ position: Int) throws {
        let account = Self.accounts[position]
        let index = UInt32(account["index"] as! Int)
        let key = try master.stacksAccountKey(index)
        // wallet-sdk appends the compressed-key marker 01.
        #expect(key.withUnsafeBytes { Array($0).hex } + "01" == account["stxPrivateKey"] as! String)
        #expect(key.publicKey.bytes.hex == account["public_key"] as! String)
        #expect(StacksAddress(publicKey: key.publicKey, network: .mainnet).description == account["address_mainnet"] as! String)
        #expect(StacksAddress(publicKey: key.publicKey, network: .testnet).description == account["address_testnet"] as! String)

        let wallet = try LocalWallet(mnemonic: mnemonic, accountIndex: index, network: .mainnet)
        #expect(wallet.principal.address.description == account["address_mainnet"] as! String)
        let testnetWallet = try LocalWallet(mnemonic: mnemonic, accountIndex: index, network: .testnet)
        #expect(testnetWallet.principal.address.description == account["address_testnet"] as! String)
    }

    @Test func accountListMatches() throws {
        let listed = try mnemonic.stacksAccounts(0..<2, network: .testnet)
        #expect(listed.map(\.index) == [0, 1])
        #expect(listed.map(\.address.description) == Self.accounts.map { $0["address_testnet"] as! String })
        #expect(listed.map(\.publicKey.bytes.hex) == Self.accounts.map { $0["public_key"] as! String })
    }

    /// wallet-sdk's other keys: the config key at m/44/5757'/0'/1 (purpose not hardened), the data
    /// (app) keys at m/888'/0'/i', and the salt SHA-256(hex of the m/888'/0' public key).
    @Test func walletSDKAuxiliaryKeysMatch() throws {
        let config = try master.derived(DerivationPath("m/44/5757'/0'/1")).privateKey
        #expect(config.withUnsafeBytes { Array($0).hex } == Self.generated["configPrivateKey"] as! String)

        let identities = try master.derived(DerivationPath("m/888'/0'"))
        let salt = Array(SHA256.hash(data: Array(identities.publicKey.bytes.hex.utf8))).hex
        #expect(salt == Self.generated["salt"] as! String)

        for account in Self.accounts {
            let index = UInt32(account["index"] as! Int)
            let data = try identities.derivedChild(index + DerivationPath.hardenedOffset).privateKey
            #expect(data.withUnsafeBytes { Array($0).hex } == account["dataPrivateKey"] as! String)
        }
    }

    @Test func referenceWalletPhraseGivesItsAddress() throws {
        let phrase = Vectors.value(Vectors.reference, "wallets", "wallet_manager", "mnemonic") as! String
        let wallet = try LocalWallet(mnemonic: Mnemonic(phrase: phrase), network: .mainnet)
        #expect(wallet.principal.address.description == "SP1JAHE8GEHB0MCBGR8J6W0AA7TJEE1XKFTFJMQ5W")
    }

    @Test func accountIndexMustBeUnhardened() {
        #expect(throws: BIP32Error.accountIndexOutOfRange(DerivationPath.hardenedOffset)) {
            try master.stacksAccountKey(DerivationPath.hardenedOffset)
        }
    }
}
