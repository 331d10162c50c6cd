import Crypto
import Testing
import TestSupport
@testable import SNaP2PIdentity

@Suite struct LocalWalletTests {
    @Test func walletOfReferenceKeyHasItsPrincipalAndSignature() async throws {
        let vector = Vectors.value(Vectors.reference, "secp256k1", "keys", 0) as! [String: Any]
        let key = try Secp256k1.PrivateKey(hex: vector["private_key"] as! String)
        let mainnet = LocalWallet(privateKey: key, network: .mainnet)
        let testnet = LocalWallet(privateKey: key, network: .testnet)
        #expect(mainnet.principal.description == "stacks:" + (vector["snap2p_createWallet_address"] as! String))
        #expect(testnet.principal.address.description == vector["address_testnet"] as! String)
        let wallet: any Wallet = mainnet
        let signature = try await wallet.sign(messageHash: [UInt8](hex: vector["message_sha256"] as! String))
        #expect(signature.bytes.hex == vector["signMessageHashRsv"] as! String)
        #expect(!mainnet.description.contains("0102030405"))
    }

    @Test(arguments: StacksNetwork.allCases)
    func ephemeralWalletsAreFreshAndUsableWithReferencePeers(network: StacksNetwork) {
        var principals = Set<Principal>()
        for _ in 0..<200 {
            let wallet = LocalWallet.ephemeral(network: network)
            #expect(wallet.network == network)
            #expect(wallet.principal.network == network)
            #expect(wallet.principal.address.version == .singleSig(network))
            #expect(wallet.principal.address.description.count >= 40)
            principals.insert(wallet.principal)
        }
        #expect(principals.count == 200)
    }
}
