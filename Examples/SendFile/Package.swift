// swift-tools-version:6.1
import PackageDescription

// A standalone app that depends on SNaP2P the way yours would; here by path, elsewhere with
// .package(url: "https://github.com/snap2p/snap2p-swift.git", from: "0.1.0").
let package = Package(
    name: "SendFile",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "SNaP2P", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "SendFile",
            dependencies: [
                .product(name: "SNaP2P", package: "SNaP2P"),
                .product(name: "SNaP2PFileTransfer", package: "SNaP2P"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
