import Crypto

/// RIPEMD-160(SHA-256(bytes)): the 20-byte key hash inside every Stacks address (and BIP-32 fingerprints).
public func hash160(_ bytes: [UInt8]) -> [UInt8] {
    RIPEMD160.hash(Array(SHA256.hash(data: bytes)))
}
