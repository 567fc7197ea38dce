/// A stable, machine-readable kind of failure, open to new values: `SpoolError.Code.io`,
/// `SnapshotError.Code.busy`. `Domain` keeps one module's codes apart from another's; each module
/// declares its codes in an extension `where Domain == …`.
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The shape of Tally's errors: an open ``code``, one line that says what failed and where, and
/// the file and byte offset it concerns, when there are such. `Domain` is the module's kind of
/// failure (`SnapshotError` is `CodedError<SnapshotErrorDomain>`), so a `catch` tells them apart.
///
/// ```swift
/// do { _ = try SnapshotReader(path: dir) }
/// catch let error as SnapshotError where error.code == .noUsableSnapshot { … }   // exit 4
/// ```
public struct CodedError<Domain>: Error, Sendable, Hashable, CustomStringConvertible {
    public typealias Code = ErrorCode<Domain>

    public var code: Code
    /// What happened, one line that names the path when there is one.
    public var message: String
    /// The file or directory concerned, when there is one.
    public var path: String?
    /// The byte offset in `path`, when the failure concerns one place in a file.
    public var offset: Int64?

    public init(code: Code, message: String, path: String? = nil, offset: Int64? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
    }

    public var description: String { message }
}
