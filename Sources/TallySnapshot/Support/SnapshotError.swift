public import TallyPosix

/// Why a snapshot could not be written, opened or queried. `description` is one line
/// that says what and where; ``code`` tells the CLI which exit status to use.
///
/// ```swift
/// do { _ = try SnapshotReader(path: dir) }
/// catch let error as SnapshotError where error.code == .noUsableSnapshot { … }   // exit 4
/// ```
public typealias SnapshotError = CodedError<SnapshotErrorDomain>

/// The domain of ``SnapshotError``'s codes.
public enum SnapshotErrorDomain {}

extension ErrorCode where Domain == SnapshotErrorDomain {
    /// No complete snapshot in the directory (or the manifest given is unusable).
    public static let noUsableSnapshot = Self("no-usable-snapshot")
    /// `query session ID` for an id the snapshot does not hold.
    public static let sessionNotFound = Self("session-not-found")
    /// A query that does not validate (see `SnapshotQuery.validate()`).
    public static let badQuery = Self("bad-query")
    /// The directory is locked by another writer.
    public static let busy = Self("busy")
    /// A file could not be read or written.
    public static let io = Self("io")
    /// A snapshot file exists but its content is damaged.
    public static let corrupt = Self("corrupt")
    /// A snapshot file of a newer format version than this build reads (a rollback): refused,
    /// nothing deleted.
    public static let newerFormat = Self("newer-format")
    /// The query shows a token or cost total that passed `Int64.max - 1` (flagged, never wrapped).
    public static let totalOverflow = Self("total-overflow")
}

extension SnapshotError {
    /// A failed system call, as an `.io` error.
    init(_ error: SystemError) {
        self.init(code: .io, message: error.description, path: error.path)
    }
}

/// Runs system calls, turning their ``SystemError`` into ``SnapshotError`` (`body` throws nothing else).
@inline(__always)
func io<T>(_ body: () throws -> T) throws(SnapshotError) -> T {
    do { return try body() } catch let error as SystemError { throw SnapshotError(error) } catch {
        throw error as! SnapshotError
    }
}
