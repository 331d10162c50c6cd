/// The public side of one account of a Stacks wallet, as `snap2p wallet derive` prints it and
/// Leather or Xverse list it.
public struct StacksAccount: Hashable, Sendable {
    /// The account index `i` of `m/44'/5757'/0'/0/i`.
    public let index: UInt32
    /// The single-sig address of ``publicKey``.
    public let address: StacksAddress
    /// The compressed public key of the account's STX key.
    public let publicKey: Secp256k1.PublicKey
}

extension ExtendedPrivateKey {
    /// The STX key of Stacks account `index`, derived from this master key at `m/44'/5757'/0'/0/index`.
    public func stacksAccountKey(_ index: UInt32) throws(BIP32Error) -> Secp256k1.PrivateKey {
        guard index < DerivationPath.hardenedOffset else { throw .accountIndexOutOfRange(index) }
        return try derived(.stacksAccount(index)).privateKey
    }
}

extension Mnemonic {
    /// The accounts at `indices` on `network` (the seed is derived once for all of them). Stacks
    /// wallets use no BIP-39 passphrase.
    public func stacksAccounts(_ indices: Range<UInt32>, network: StacksNetwork) throws(BIP32Error) -> [StacksAccount] {
        var seed = seed()
        defer { secureZero(&seed) }
        let master = try ExtendedPrivateKey(seed: seed)
        var accounts: [StacksAccount] = []
        accounts.reserveCapacity(indices.count)
        for index in indices {
            let publicKey = try master.stacksAccountKey(index).publicKey
            accounts.append(StacksAccount(index: index, address: StacksAddress(publicKey: publicKey, network: network), publicKey: publicKey))
        }
        return accounts
    }
}

extension LocalWallet {
    /// The wallet of Stacks account `accountIndex` of a seed phrase: the same address Leather,
    /// Xverse and the reference show for it.
    public init(mnemonic: Mnemonic, accountIndex: UInt32 = 0, network: StacksNetwork) throws(BIP32Error) {
        var seed = mnemonic.seed()
        defer { secureZero(&seed) }
        self.init(privateKey: try ExtendedPrivateKey(seed: seed).stacksAccountKey(accountIndex), network: network)
    }
}
