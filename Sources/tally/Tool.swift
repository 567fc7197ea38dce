import ArgumentParser

@main
struct Tool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Event pipeline for LLM chat-session telemetry.",
        subcommands: []
    )
}
