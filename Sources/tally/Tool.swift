import ArgumentParser

/// `tally`: the Tally command line. Each subcommand lives in its own file and only
/// parses flags and calls the libraries.
@main
struct Tool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Event pipeline for LLM chat-session telemetry.",
        discussion: "Contracts: events, commands and pipeline files are described in the README.",
        subcommands: [
            AppendCommand.self, ReplayCommand.self, QueryCommand.self,
            VerifyCommand.self, DemoCommand.self, GenerateCommand.self,
        ]
    )
}
