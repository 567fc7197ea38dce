/// A replay that cannot start or finish: what failed and where, in one line.
///
/// ```swift
/// do {
///     _ = try Replay.run(settings: settings, inputs: ["old-spool/"], output: "/tmp/replayed")
/// } catch let error as ReplayError where error.code == .outputHoldsSnapshots {
///     print("tally: \(error)")   // tally: /tmp/replayed already holds snapshots: replay into an empty or new directory
/// }
/// ```
///
/// Errors of the files read or written (`SpoolError`, `SnapshotError`) come through as they are.
public struct ReplayError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An input path names no file or directory.
        public static let noSuchInput = Code("no-such-input")
        /// The output directory already holds snapshots.
        public static let outputHoldsSnapshots = Code("output-holds-snapshots")
        /// The inputs could not be folded so that each event counts once, not even on one thread.
        public static let cannotFold = Code("cannot-fold")
        /// A pipe named on the command line carries zstd frames, which replay reads from files only.
        public static let compressedStream = Code("compressed-stream")
    }

    public var code: Code
    /// What failed, as one line that names the path.
    public var message: String
    /// The file or directory concerned, when there is one.
    public var path: String?
    /// The byte offset in `path`, when the failure concerns one place in a file.
    public var offset: Int64?

    public init(code: Code, message: String, path: String? = nil, offset: Int64? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
    }

    /// One line: `no such file or directory: /var/spool/old`.
    public var description: String { message }
}

extension ReplayError {
    static func noSuchInput(_ path: String) -> ReplayError {
        ReplayError(code: .noSuchInput, message: "no such file or directory: \(path)", path: path)
    }

    static func outputHoldsSnapshots(_ output: String) -> ReplayError {
        ReplayError(
            code: .outputHoldsSnapshots, message: "\(output) already holds snapshots: replay into an empty or new directory",
            path: output)
    }

    static func compressedStream(_ path: String) -> ReplayError {
        ReplayError(
            code: .compressedStream,
            message: "\(path): zstd frames on a pipe; name the .zst file itself, or decompress it into the pipe (<(zstdcat FILE))",
            path: path, offset: 0)
    }

    /// `paths`: the inputs as given.
    static func cannotFold(_ paths: [String]) -> ReplayError {
        ReplayError(code: .cannotFold, message: "cannot fold \(paths.joined(separator: " ")) on one thread")
    }
}
