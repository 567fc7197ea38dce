/// Why `tally serve` cannot start: a bad `--listen`, a token file that is missing or readable by
/// others. `description` is one line that says what and where; ``code`` picks the exit status.
///
/// ```swift
/// do { _ = try TokenFile.read(path) }
/// catch let error as ServerError where error.code == .usage { … }   // exit 2
/// ```
public struct ServerError: Error, CustomStringConvertible, Sendable, Hashable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A flag or a file given on the command line is not usable (exit 2).
        public static let usage = Code("usage")
        /// The server could not start or run (exit 1).
        public static let failed = Code("failed")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
