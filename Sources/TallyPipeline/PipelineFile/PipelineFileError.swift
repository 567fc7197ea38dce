/// A pipeline file that cannot be used: what is wrong and where, in one line.
///
/// ```swift
/// do { _ = try PipelineSettings.load(path: "Pipelines/default.yaml") }
/// catch let error as PipelineFileError { print(error) }
/// // Pipelines/default.yaml:7: segment.max_bytes: "64MB" is not a size (use B, KiB, MiB, GiB)
/// ```
public struct PipelineFileError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The pipeline file as it was named.
    public var file: String
    /// 1-based line in the file, when the fault has one.
    public var line: Int?
    /// Dotted key path (`segment.max_bytes`, `pricing.gpt-4.1.input`), when the fault is about a key.
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `FILE:LINE: KEY: MESSAGE`, one line.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + message
    }
}
