// swift-tools-version:6.1
import PackageDescription

let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

/// Layers, lowest first. Arrows point one way:
/// snap2p (CLI) -> SNaP2P (Peer API + SwiftNIO transport) -> Session / Streams / Discovery / Relay -> Noise / Identity / Wire.
/// The file-transfer app sits on top: snap2p -> SNaP2PFileTransfer -> SNaP2P and SNaP2PFileProtocol -> Wire.
/// Only `SNaP2P` imports SwiftNIO's networking.
let package = Package(
    name: "SNaP2P",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SNaP2P", targets: ["SNaP2P"]),
        .library(name: "SNaP2PFileTransfer", targets: ["SNaP2PFileTransfer"]),
        .executable(name: "snap2p", targets: ["snap2p"]),
        .executable(name: "snap2p-bench", targets: ["snap2p-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]
        ),
        // Varint frames, CBOR, control messages. Pure, no dependencies.
        .target(name: "SNaP2PWire"),
        // Noise XX with a selectable key schedule. Pure.
        .target(name: "SNaP2PNoise", dependencies: [crypto]),
        // secp256k1, c32 addresses, principals, BIP-39/32, node keys, attestations, wallet store.
        .target(
            name: "SNaP2PIdentity",
            dependencies: [
                "CSecp256k1", "SNaP2PWire", crypto,
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Stream multiplexer and flow-control windows. Pure.
        .target(name: "SNaP2PStreams", dependencies: ["SNaP2PWire"]),
        // The session state machine: handshake (stealth KNOCK, Noise, HELLO, AUTH), negotiated
        // features, keepalive, streams and write scheduling until the close; admission policy. Pure.
        .target(
            name: "SNaP2PSession",
            dependencies: [
                "SNaP2PWire", "SNaP2PNoise", "SNaP2PIdentity", "SNaP2PStreams", crypto,
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // PX-1 discovery (SPECS §10): locators, messages, the locator cache, policy. Pure.
        .target(
            name: "SNaP2PDiscovery",
            dependencies: [
                "SNaP2PWire", "SNaP2PIdentity",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        // The `relay-1` protocol: messages, and a relay's ledger of reservations and relayed
        // connections under the operator's limits. Pure.
        .target(name: "SNaP2PRelay", dependencies: ["SNaP2PWire", "SNaP2PIdentity"]),
        // Public async API (Peer, Connection, Stream) and the SwiftNIO transport at the edge.
        .target(
            name: "SNaP2P",
            dependencies: [
                "SNaP2PWire", "SNaP2PNoise", "SNaP2PIdentity", "SNaP2PStreams", "SNaP2PSession", "SNaP2PDiscovery", "SNaP2PRelay",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The `file-1` file-transfer protocol: messages, both sides' state machines, safe names. Pure.
        .target(name: "SNaP2PFileProtocol", dependencies: ["SNaP2PWire"]),
        // The first-party file-transfer app on `file-1` streams: disk I/O on threads of its own,
        // the receive directory, the public send/receive API.
        .target(
            name: "SNaP2PFileTransfer",
            dependencies: [
                "SNaP2P", "SNaP2PFileProtocol", "SNaP2PWire", crypto,
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "snap2p",
            dependencies: [
                "SNaP2P", "SNaP2PFileTransfer", "SNaP2PIdentity", "SNaP2PWire", "CAllocatorTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "snap2p-bench",
            dependencies: [
                "SNaP2P",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                crypto,
            ]
        ),
        // Coverage-guided fuzz targets, one executable for all (Fuzz/README.md). `make fuzz` builds it
        // with libFuzzer and AddressSanitizer; a plain build gives a replayer for saved inputs.
        .executableTarget(
            name: "snap2p-fuzz",
            dependencies: [
                "SNaP2PWire", "SNaP2PNoise", "SNaP2PIdentity", "SNaP2PStreams", "SNaP2PSession", "SNaP2PFileProtocol",
                "SNaP2PDiscovery", "SNaP2PRelay", "CFuzzAllocationProbe", crypto,
            ],
            path: "Fuzz/Targets"
        ),
        // glibc's mallopt for the CLI (malloc.h is outside Swift's Glibc module).
        .target(name: "CAllocatorTuning"),
        // Largest single allocation while a fuzz input runs (AddressSanitizer's malloc hooks).
        .target(name: "CFuzzAllocationProbe", path: "Fuzz/AllocationProbe"),
        // Golden vectors (copied from the reference implementation's runs), helpers to load them,
        // and a tampering TCP relay for end-to-end and CLI tests.
        .target(
            name: "TestSupport",
            dependencies: [
                "SNaP2PWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "WireTests", dependencies: ["SNaP2PWire", "TestSupport", crypto]),
        .testTarget(name: "NoiseTests", dependencies: ["SNaP2PNoise", "TestSupport", crypto]),
        .testTarget(name: "IdentityTests", dependencies: ["SNaP2PIdentity", "SNaP2PWire", "TestSupport", crypto]),
        .testTarget(name: "StreamsTests", dependencies: ["SNaP2PStreams", "SNaP2PWire", "TestSupport"]),
        .testTarget(name: "DiscoveryTests", dependencies: ["SNaP2PDiscovery", "SNaP2PIdentity", "SNaP2PWire"]),
        .testTarget(name: "RelayTests", dependencies: ["SNaP2PRelay", "SNaP2PIdentity", "SNaP2PWire"]),
        .testTarget(
            name: "SessionTests",
            dependencies: ["SNaP2PSession", "SNaP2PStreams", "SNaP2PNoise", "SNaP2PIdentity", "SNaP2PWire", "TestSupport", crypto]
        ),
        .testTarget(
            name: "SNaP2PTests",
            dependencies: [
                "SNaP2P", "SNaP2PWire", "SNaP2PNoise", "SNaP2PIdentity", "SNaP2PStreams", "SNaP2PSession", "SNaP2PDiscovery",
                "SNaP2PRelay", "TestSupport", crypto,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FileTransferTests",
            dependencies: ["SNaP2PFileTransfer", "SNaP2PFileProtocol", "SNaP2P", "SNaP2PWire", crypto]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "snap2p", "SNaP2P", "SNaP2PFileTransfer", "TestSupport", crypto,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
