package import TallyPosix

/// A pipeline file that cannot be used: what is wrong and where, in one line.
///
/// ```swift
/// do { _ = try PipelineSettings.load(path: "Pipelines/default.yaml") }
/// catch let error as PipelineFileError where error.code == .invalidValue { print(error) }
/// // Pipelines/default.yaml:7: segment.max_bytes: "64MB" is not a size (use B, KiB, MiB, GiB)
/// ```
package struct PipelineFileError: Error, CustomStringConvertible, Sendable, Hashable {
    /// A stable, machine-readable kind of failure.
    package typealias Code = ErrorCode<PipelineFileError>

    package var code: Code
    /// The pipeline file as it was named.
    package var file: String
    /// 1-based line in the file, when the fault has one.
    package var line: Int?
    /// Dotted key path (`segment.max_bytes`, `pricing.gpt-4.1.input`), when the fault is about a key.
    package var key: String?
    package var message: String

    package init(code: Code, file: String, line: Int?, key: String?, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `FILE:LINE: KEY: MESSAGE`, one line.
    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + message
    }
}

extension ErrorCode where Domain == PipelineFileError {
    /// Nothing is at the path.
    package static let notFound = Self("not-found")
    /// The path names a directory.
    package static let isDirectory = Self("is-directory")
    /// The file cannot be read.
    package static let io = Self("io")
    /// The file is not UTF-8 text.
    package static let notUTF8 = Self("not-utf8")
    /// The text is not valid YAML (a duplicate key included).
    package static let invalidYAML = Self("invalid-yaml")
    /// A key pipeline.md does not name.
    package static let unknownKey = Self("unknown-key")
    /// A mapping, list or single value where another is expected, a quoted value where a number
    /// is, or a key that is not a plain name.
    package static let wrongType = Self("wrong-type")
    /// A value that does not parse (size, duration, price, enum) or is out of range.
    package static let invalidValue = Self("invalid-value")
    /// A required key is missing (a price's input or output).
    package static let missingKey = Self("missing-key")
}
