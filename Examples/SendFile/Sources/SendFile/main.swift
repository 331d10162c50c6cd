// Sends one file to a peer running `snap2p receive` (or any app serving a FileReceiver):
//
//     snap2p receive 9000 --yes                    # another terminal
//     swift run SendFile report.pdf 127.0.0.1:9000
import Foundation
import SNaP2P
import SNaP2PFileTransfer

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: SendFile FILE HOST:PORT\n".utf8))
    exit(64)
}
let (path, address) = (arguments[0], arguments[1])

// A throwaway mainnet identity; pass `wallet:` (e.g. a LocalWallet from a seed phrase) to be known.
let peer = Peer()
do {
    let connection = try await peer.dial(address)
    print("Sending \(path) to \(connection.remotePrincipal)")
    // Hashes the file, offers it, sends what the receiver lacks (it may resume an interrupted
    // send), and returns once the receiver has checked the SHA-256 and stored the file.
    let sent = try await connection.sendFile(atPath: path) { progress in
        guard progress.phase == .transferring, progress.size > 0 else { return }
        print("\r\(progress.bytes * 100 / progress.size)% of \(progress.size) bytes", terminator: "")
    }
    let digest = sent.sha256.map { String(format: "%02x", $0) }.joined()
    print("\nSent \(sent.name); the receiver verified SHA-256 \(digest)")
    await connection.close()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
