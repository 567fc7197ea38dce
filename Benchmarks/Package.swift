// swift-tools-version: 6.0
import PackageDescription

// Benchmarks, apart from the main dependency graph.
// Run: Benchmarks/spool.sh, Benchmarks/snapshot.sh (or swift run -c release --package-path Benchmarks --scratch-path .build-bench NAME)
let package = Package(
    name: "TallyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Tally", path: "..")],
    targets: [
        .executableTarget(
            name: "SpoolBench",
            dependencies: [.product(name: "TallySpool", package: "Tally")]
        ),
        .executableTarget(
            name: "SnapshotBench",
            dependencies: [
                .product(name: "TallyCore", package: "Tally"),
                .product(name: "TallySnapshot", package: "Tally"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
