import ArgumentParser
import TallyPipeline

/// `--pipeline FILE`, shared by the commands that work on a pipeline.
struct PipelineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The pipeline YAML file.", valueName: "FILE"))
    var pipeline: String

    /// The loaded settings; a missing or bad file is a `PipelineFileError` (exit 2, one line naming
    /// the key and its line).
    func load() throws -> PipelineSettings {
        try PipelineSettings.load(path: pipeline)
    }
}
