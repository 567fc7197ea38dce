// swift-tools-version: 6.0
import PackageDescription

// Benchmarks of the spool, apart from the main dependency graph.
// Run: Benchmarks/spool.sh (or swift run -c release --package-path Benchmarks --scratch-path .build-bench SpoolBench)
let package = Package(
    name: "TallyBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Tally", path: "..")],
    targets: [
        .executableTarget(
            name: "SpoolBench",
            dependencies: [.product(name: "TallySpool", package: "Tally")]
        )
    ],
    swiftLanguageModes: [.v6]
)
