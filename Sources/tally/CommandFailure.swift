import ArgumentParser

/// A failure the command line itself finds (a flag value that does not parse, a file it cannot
/// create): one line, and the exit code of shared/spec/cli.md to end with.
///
/// ```swift
/// throw CommandFailure(.badUsage, "give --spool DIR or --pipeline FILE")   // tally: give …, exit 2
/// ```
struct CommandFailure: Error, CustomStringConvertible {
    var exitCode: ExitCode
    var message: String

    init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    var description: String { message }
}
