import ArgumentParser

/// `tally`: the Tally command line. Each subcommand lives in its own file and only
/// parses flags and calls the libraries.
///
/// Exit codes (shared/spec/cli.md): 0 success, 1 the work failed, 2 bad usage or a bad
/// pipeline file, 3 not found, 4 no usable snapshot.
@main
struct Tool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Event pipeline for LLM chat-session telemetry.",
        discussion: "Producers append NDJSON events to a spool; `run` folds them into snapshots; `query` reads them.",
        subcommands: [
            AppendCommand.self, RunCommand.self, ReplayCommand.self, QueryCommand.self,
            VerifyCommand.self, DemoCommand.self, GenerateCommand.self,
        ]
    )

    /// Parses and runs the subcommand; a usage error exits 2 (argument-parser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // One line, as for every other error; `--help` shows the usage.
                let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
                Terminal.error("tally: " + message.replacingPrefix("Error: ", with: "") + " (see --help)")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
