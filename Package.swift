// swift-tools-version:6.2
// Quad: a clustered message store and API for online learning communities.
// Module layering follows ARCHITECTURE.md: dependencies point down the list
// CRocksDB -> QuadCore -> Raft / Community -> Storage -> Node -> API -> executables.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "quad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "quad", targets: ["quad"]),
        .executable(name: "quadctl", targets: ["quadctl"]),
        .executable(name: "quad-raft-sim", targets: ["quad-raft-sim"]),
        .library(name: "QuadCore", targets: ["QuadCore"]),
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "QuadTesting", targets: ["QuadTesting"]),
        .library(name: "Community", targets: ["Community"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Node", targets: ["Node"]),
        .library(name: "API", targets: ["API"]),
        .library(name: "MeetingProviders", targets: ["MeetingProviders"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),

    ],
    targets: [
        .systemLibrary(
            name: "CRocksDB",
            pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]
        ),
        .target(name: "QuadCore", swiftSettings: strict),
        .target(name: "Raft", dependencies: ["QuadCore"], swiftSettings: strict),
        .target(name: "QuadTesting", dependencies: ["Raft", "QuadCore"], swiftSettings: strict),
        .target(name: "Community", dependencies: ["QuadCore"], swiftSettings: strict),
        .target(
            name: "Storage",
            dependencies: ["CRocksDB", "QuadCore"],
            swiftSettings: strict
        ),
        .target(
            name: "Transport",
            dependencies: [
                "QuadCore", "Raft",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Node",
            dependencies: [
                "QuadCore", "Community", "Storage", "Raft", "Transport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "API",
            dependencies: [
                "QuadCore", "Community", "Node", "MeetingProviders", "WebClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),
        // The browser client (docs/web-client.md): HTML, CSS and JavaScript modules, no build step.
        .target(
            name: "WebClient",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Assets")],
            swiftSettings: strict
        ),
        // Zoom and Webex clients (docs/live-sessions.md); used by the API shell, never by the cores.
        .target(
            name: "MeetingProviders",
            dependencies: [
                "QuadCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "quad",
            dependencies: [
                "API", "Node", "QuadCore", "Raft", "Storage", "Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "quadctl",
            dependencies: [
                "QuadCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "quad-raft-sim",
            dependencies: [
                "QuadTesting", "Raft",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "QuadCoreTests", dependencies: ["QuadCore"], swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "QuadTesting", "QuadCore"], exclude: ["testdata"], swiftSettings: strict),
        .testTarget(name: "CommunityTests", dependencies: ["Community", "QuadCore"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "QuadCore"], swiftSettings: strict),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "Node", "Community", "QuadCore", "MeetingProviders", "WebClient",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NodeTests",
            dependencies: ["Node", "Community", "Storage", "QuadCore", "Raft",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeetingProviderTests",
            dependencies: [
                "MeetingProviders", "QuadCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],

            swiftSettings: strict
        ),
        .testTarget(
            name: "ProcessTests",
            dependencies: [
                "QuadCore",
                // A test LMS (its key set and authorization endpoint) for the sign-in tests.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "Raft", "QuadCore",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ]
)
