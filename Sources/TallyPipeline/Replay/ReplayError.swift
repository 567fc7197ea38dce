package import TallyPosix

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
package typealias ReplayError = CodedError<ReplayErrorDomain>

/// The domain of ``ReplayError``'s codes.
package enum ReplayErrorDomain {}

extension ErrorCode where Domain == ReplayErrorDomain {
    /// An input path names no file or directory.
    package static let noSuchInput = Self("no-such-input")
    /// The output directory already holds snapshots.
    package static let outputHoldsSnapshots = Self("output-holds-snapshots")
    /// The inputs could not be folded so that each event counts once, not even on one thread.
    package static let cannotFold = Self("cannot-fold")
    /// A pipe named on the command line carries zstd frames, which replay reads from files only.
    package static let compressedStream = Self("compressed-stream")
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
