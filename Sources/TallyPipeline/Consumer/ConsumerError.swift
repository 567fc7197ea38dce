/// Why the consumer cannot start or had to stop; one line saying what and where.
///
/// ```swift
/// do { _ = try Consumer(settings: settings, logger: logger) }
/// catch let error as ConsumerError where error.code == .busy { exit(2) }   // another `tally run`
/// ```
public struct ConsumerError: Error, CustomStringConvertible, Sendable, Hashable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Another consumer holds the snapshot directory's lock.
        public static let busy = Code("busy")
        /// The snapshot directory holds snapshots this consumer cannot resume from.
        public static let incompatible = Code("incompatible")
        /// Reading, writing or committing failed.
        public static let io = Code("io")
    }

    public var code: Code
    /// What failed and where, one line (it names the path).
    public var message: String
    /// The directory or file concerned, when there is one (the snapshot directory, say).
    public var path: String?

    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
