// swift-tools-version: 6.1
import PackageDescription

// Tally builds and runs on Linux only: the I/O layer (TallyPosix) calls Glibc, inotify and
// Linux's `st_mtim` directly, and no other platform is built or tested.
let package = Package(
    name: "Tally",
    products: [
        .executable(name: "tally", targets: ["tally"]),
        // What a Swift service links to append events to a spool.
        .library(name: "TallySpool", targets: ["TallySpool"]),
        // The fold and the snapshot reader, for services that fold or query in process.
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallySnapshot", targets: ["TallySnapshot"]),
        // A session's events and search, read from the spool through a snapshot's frame index.
        .library(name: "TallyEvents", targets: ["TallyEvents"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `tally serve`: HTTP/1.1 only; no configuration reader, no full Foundation (traits off).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The one I/O layer: POSIX calls wrapped once (EINTR, typed errors), atomic writes,
        // directories, threads, the wall clock. Linux only.
        .target(name: "TallyPosix"),
        // Pure values and the fold: events, decoding, aggregates. No I/O.
        .target(name: "TallyCore", dependencies: [.product(name: "HeapModule", package: "swift-collections")]),
        // Deterministic generator of realistic event corpora (tests, benchmarks, SampleLogs).
        .target(name: "TallyCorpus"),
        // Segment files, zstd frames, POSIX: the spool writer and reader.
        .target(
            name: "TallySpool",
            dependencies: ["CZstd", "TallyPosix", .product(name: "Logging", package: "swift-log")]
        ),
        // Snapshots on disk (manifest + SQLite session store) and queries over them.
        .target(name: "TallySnapshot", dependencies: ["TallyCore", "TallyPosix", "CSQLite"]),
        // The read side of the frame index: a session's events and search over the spool.
        .target(name: "TallyEvents", dependencies: ["TallyCore", "TallyPosix", "TallySpool", "TallySnapshot"]),
        // Pipeline files, replay, the live consumer.
        .target(
            name: "TallyPipeline",
            dependencies: [
                "TallyCore", "TallyPosix", "TallySpool", "TallySnapshot",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // `tally serve`: the dashboard, the JSON API, live updates and /metrics over the snapshots.
        .target(
            name: "TallyServer",
            dependencies: [
                "TallyCore", "TallyPosix", "TallySnapshot",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyCore", "TallyPosix", "TallySpool", "TallySnapshot", "TallyPipeline", "TallyCorpus", "TallyEvents", "TallyServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: scratch directories, locating the built `tally`, running programs.
        .target(name: "TallyTestSupport", path: "Tests/TallyTestSupport"),
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyCore", "TallyCorpus"]),
        .testTarget(name: "TallySpoolTests", dependencies: ["TallySpool", "TallyPosix", "CZstd", "TallyCorpus", "TallyTestSupport"]),
        .testTarget(name: "TallySnapshotTests", dependencies: ["TallySnapshot", "TallyCore", "TallyPosix", "TallyCorpus"]),
        .testTarget(
            name: "TallyPipelineTests",
            dependencies: [
                "TallyPipeline", "TallyCore", "TallyPosix", "TallySpool", "TallySnapshot", "TallyEvents", "TallyCorpus", "TallyTestSupport",
                "CSQLite",
            ]),
        .testTarget(
            name: "TallyEventsTests",
            dependencies: ["TallyEvents", "TallyPipeline", "TallyCore", "TallyPosix", "TallySpool", "TallySnapshot", "TallyTestSupport"]),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyCorpus", "TallySpool", "TallyTestSupport"]),
        .testTarget(name: "TallyServerTests", dependencies: ["TallyServer", "TallyCorpus", "TallySpool", "TallyTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
