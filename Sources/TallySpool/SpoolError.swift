public import TallyPosix

/// The one error type of TallySpool: what failed, on which file, and where in it.
///
/// ```swift
/// do {
///     let writer = try SpoolWriter(directory: "/var/spool/tally", producer: "api")
/// } catch let error as SpoolError {
///     print("tally: \(error)")   // tally: cannot append to /var/spool/tally: not a directory
/// }
/// ```
public struct SpoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public typealias Code = ErrorCode<SpoolError>

    public var code: Code
    /// What was attempted, as a phrase that a path follows: "cannot fsync".
    public var operation: String
    /// Why it failed: the errno text, zstd error name or a short reason.
    public var message: String
    /// The file or directory concerned.
    public var path: String
    /// The byte offset in `path`, when the failure concerns one place in a file.
    public var offset: Int64?
    /// The `errno` value when a system call failed.
    public var errno: Int32?

    public init(code: Code, operation: String, message: String, path: String, offset: Int64? = nil, errno: Int32? = nil) {
        self.code = code
        self.operation = operation
        self.message = message
        self.path = path
        self.offset = offset
        self.errno = errno
    }

    /// One line: `cannot fsync /spool/api.x.00000001.zst.open: Input/output error`.
    public var description: String {
        var s = operation + " " + path
        if let offset { s += " at byte \(offset)" }
        return s + ": " + message
    }
}

extension SpoolError {
    /// A failed system call: `.notADirectory` for `ENOTDIR`, `.io` otherwise.
    init(_ error: SystemError) {
        self.init(
            code: error.isNotADirectory ? .notADirectory : .io, operation: error.operation,
            message: error.message, path: error.path, offset: error.offset, errno: error.errno)
    }
}

/// Runs system calls, turning their ``SystemError`` into ``SpoolError`` (`body` throws nothing else).
@inline(__always)
func io<T>(_ body: () throws -> T) throws(SpoolError) -> T {
    do { return try body() } catch let error as SystemError { throw SpoolError(error) } catch {
        throw error as! SpoolError
    }
}

extension ErrorCode where Domain == SpoolError {
    /// A system call failed; `errno` holds its number.
    public static let io = Self("io")
    /// A path is not usable as a spool directory (missing, a file, not writable).
    public static let notADirectory = Self("not-a-directory")
    /// An argument or configuration value is out of range.
    public static let invalidArgument = Self("invalid-argument")
    /// The writer was closed.
    public static let closed = Self("closed")
    /// zstd refused to compress or decompress.
    public static let compression = Self("compression")
    /// A file name is not a spool segment name.
    public static let notASegment = Self("not-a-segment")
    /// A file to read is not a regular file (a FIFO, a device, a directory), or a symlink
    /// where none is followed: never opened for reading, so it can neither block nor leak.
    public static let notARegularFile = Self("not-a-regular-file")
}
