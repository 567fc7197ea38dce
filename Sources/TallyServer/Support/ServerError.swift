package import TallyPosix

/// Why `tally serve` cannot start: a bad `--listen`, a token file that is missing or readable by
/// others. `description` is one line that says what and where; ``code`` picks the exit status.
///
/// ```swift
/// do { _ = try TokenFile.read(path) }
/// catch let error as ServerError where error.code == .usage { … }   // exit 2
/// ```
package typealias ServerError = CodedError<ServerErrorDomain>

/// The domain of ``ServerError``'s codes.
package enum ServerErrorDomain {}

extension ErrorCode where Domain == ServerErrorDomain {
    /// A flag or a file given on the command line is not usable (exit 2).
    package static let usage = Self("usage")
    /// The server could not start or run (exit 1).
    package static let failed = Self("failed")
}
