/// A wallet whose secp256k1 key is in this process.
public struct LocalWallet: Wallet, CustomStringConvertible {
    private let privateKey: Secp256k1.PrivateKey
    public let network: StacksNetwork
    public let principal: Principal

    /// A wallet for `privateKey`, whose address is the single-sig address of its compressed public key.
    public init(privateKey: Secp256k1.PrivateKey, network: StacksNetwork) {
        self.privateKey = privateKey
        self.network = network
        self.principal = Principal(address: StacksAddress(publicKey: privateKey.publicKey, network: network))
    }

    /// A throwaway identity with a fresh random key.
    ///
    /// Keys whose address is shorter than 40 characters (about 0.3%) are drawn again: the reference
    /// implementation rejects such principals, so they could not talk to TypeScript peers.
    public static func ephemeral(network: StacksNetwork) -> LocalWallet {
        while true {
            let wallet = LocalWallet(privateKey: .random(), network: network)
            if wallet.principal.address.description.count >= referenceMinimumAddressLength { return wallet }
        }
    }

    /// The reference accepts only `S[A-Z0-9]{39,40}` addresses.
    static let referenceMinimumAddressLength = 40

    /// The wallet's compressed public key.
    public var publicKey: Secp256k1.PublicKey { privateKey.publicKey }

    public func sign(messageHash: [UInt8]) throws(Secp256k1Error) -> Secp256k1.RecoverableSignature {
        try privateKey.signRecoverable(messageHash: messageHash)
    }

    /// The principal; the key stays redacted.
    public var description: String { "LocalWallet(\(principal))" }
}
