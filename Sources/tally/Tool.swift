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
            ServeCommand.self, VerifyCommand.self, DemoCommand.self, GenerateCommand.self,
        ]
    )

    /// Parses and runs the subcommand; every way out, errors included, goes through ``ExitStatus``.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            ExitStatus.exit(after: error, in: nil)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            ExitStatus.exit(after: error, in: command)
        }
        ExitStatus.exitSuccessfully()
    }
}
