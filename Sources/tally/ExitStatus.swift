import ArgumentParser
import Glibc
import Synchronization
import TallyEvents
import TallyPipeline
import TallyServer
import TallySnapshot
import TallySpool

extension ExitCode {
    /// Bad usage or a bad pipeline file.
    static let badUsage = ExitCode(2)
    /// Not found: an unknown session id.
    static let notFound = ExitCode(3)
    /// No usable snapshot.
    static let noUsableSnapshot = ExitCode(4)
}

/// How `tally` ends: the one place that maps an error to its exit code (shared/spec/cli.md: 0 ok,
/// 1 the work failed, 2 bad usage or a bad pipeline file, 3 not found, 4 no usable snapshot),
/// prints its line and exits. Subcommands throw; only ``Tool/main()`` calls in here.
enum ExitStatus {
    /// The exit code and line for the errors of the libraries and of the commands; `nil` for others.
    static func failure(for error: any Error) -> (code: ExitCode, message: String)? {
        switch error {
        case let error as CommandFailure: (error.exitCode, error.message)
        case let error as SnapshotError: (code(for: error.code), error.description)
        case let error as SpoolError: (error.code == .invalidArgument ? .badUsage : .failure, error.description)
        case let error as PipelineFileError: (.badUsage, error.description)
        case let error as ReplayError: (.badUsage, error.description)
        case let error as EventsError: (error.code == .sessionNotFound ? .notFound : .badUsage, error.description)
        case let error as ConsumerError: (error.code == .io ? .failure : .badUsage, error.description)
        case let error as ServerError: (error.code == .usage ? .badUsage : .failure, error.message)
        default: nil
        }
    }

    static func code(for code: SnapshotError.Code) -> ExitCode {
        switch code {
        case .badQuery, .newerFormat: .badUsage
        case .sessionNotFound: .notFound
        case .noUsableSnapshot: .noUsableSnapshot
        default: .failure
        }
    }

    /// Ends the process after `error`, thrown while parsing the arguments (`command` is `nil`)
    /// or by `command`'s run. A usage error is one line that points at `--help`; `--help` itself
    /// is printed by argument-parser; `ExitCode` ends silently (its command has said why).
    static func exit(after error: any Error, in command: (any ParsableCommand)?) -> Never {
        if let code = error as? ExitCode { end(code) }
        if let (code, message) = failure(for: error) {
            StandardError.line(prefix(command) + ": " + message)
            end(code)
        }
        let code = Tool.exitCode(for: error)
        if code == .validationFailure {
            // One line, as for every other error; `--help` shows the usage.
            let message = Tool.fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
            StandardError.line("tally: " + message.replacingPrefix("Error: ", with: "") + " (see --help)")
            end(.badUsage)
        }
        if command == nil || code == .success { Tool.exit(withError: error) }
        StandardError.line(prefix(command) + ": \(error)")
        end(.failure)
    }

    /// Ends the process with status 0 once a command has run.
    static func exitSuccessfully() -> Never {
        end(.success)
    }

    /// Keeps `value` referenced until the process ends, so that its memory is returned at once
    /// instead of freed piece by piece (a replay's fold: about 0.1 s for 1.8 M events).
    static func retainUntilExit(_ value: some Sendable) {
        retained.withLock { $0.append(value) }
    }

    private static let retained = Mutex<[any Sendable]>([])

    /// `exit(3)`: flushes standard output; nothing is freed.
    private static func end(_ code: ExitCode) -> Never {
        Glibc.exit(code.rawValue)
    }

    /// `tally query` and `tally generate` name themselves in their errors; the others say `tally`.
    private static func prefix(_ command: (any ParsableCommand)?) -> String {
        switch command {
        case is QueryCommand: "tally query"
        case is GenerateCommand: "tally generate"
        default: "tally"
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
