import ArgumentParser
import TallyPipeline

/// `--pipeline FILE`, shared by the commands that work on a pipeline.
struct PipelineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The pipeline YAML file.", valueName: "FILE"))
    var pipeline: String

    /// The loaded settings; a missing or bad file exits 2 with one line naming the key and its line.
    func load() -> PipelineSettings {
        do {
            return try PipelineSettings.load(path: pipeline)
        } catch {
            Terminal.fail("\(error)", code: 2)
        }
    }
}
