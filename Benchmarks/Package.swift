// swift-tools-version:6.1
// Quad micro benchmarks, kept out of the main package so `make test` never builds them.
// Run: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "QuadBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the product references below hold whatever the checkout folder is called.
        .package(name: "quad", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RaftBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Raft", package: "quad"),
                .product(name: "QuadTesting", package: "quad"),
            ],
            path: "Benchmarks/RaftBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
