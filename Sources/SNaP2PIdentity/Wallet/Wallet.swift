/// Something that holds a Stacks wallet key and signs with it: the in-process ``LocalWallet``, or an
/// adapter to an external signer (hardware wallet, browser extension) that never reveals the key.
///
/// SNaP2P needs exactly one signature from it per attestation.
public protocol Wallet: Sendable {
    /// The identity this wallet proves.
    var principal: Principal { get }
    /// The network of ``principal``.
    var network: StacksNetwork { get }
    /// Signs a 32-byte hash (RFC 6979, low-S, with recovery id), as stacks.js `signMessageHashRsv` does.
    func sign(messageHash: [UInt8]) async throws -> Secp256k1.RecoverableSignature
}
