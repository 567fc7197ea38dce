internal import CSQLite
internal import Glibc
internal import TallyPosix

/// One SQLite connection. Not thread-safe: owned by one writer or one reader.
///
/// ```swift
/// let db = try Database(path: "/tmp/x.db", mode: .readWrite)
/// try db.execute("CREATE TABLE t(a INTEGER)")
/// let insert = try db.prepare("INSERT INTO t(a) VALUES (?)")
/// try insert.bind(1, Int64(7)); _ = try insert.step(); insert.reset()
/// ```
final class Database {
    /// `readWrite` creates the file when missing (0600); `readWriteExisting` never does.
    enum Mode { case readOnly, readWrite, readWriteExisting }

    private(set) var handle: OpaquePointer
    let path: String

    init(path: String, mode: Mode) throws(SQLiteError) {
        handle = try Self.open(path: path, mode: mode)
        self.path = path
    }

    /// Process-wide settings made once, before the first connection: no memory statistics (each
    /// allocation would take a global mutex; Tally never reads them).
    private static let configured: Void = {
        _ = tally_sqlite3_disable_memory_statistics()
    }()

    private static func open(path: String, mode: Mode) throws(SQLiteError) -> OpaquePointer {
        Self.configured
        var db: OpaquePointer?
        let access: Int32
        switch mode {
        case .readOnly: access = SQLITE_OPEN_READONLY
        case .readWriteExisting: access = SQLITE_OPEN_READWRITE
        case .readWrite:
            // Created owner-only here, not by SQLite through the umask: its WAL and shared-memory
            // files take the database file's permissions.
            do throws(SystemError) {
                let fd = try Posix.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
                Posix.close(fd)
            } catch where error.errno == EEXIST {
            } catch {
                throw SQLiteError(code: SQLITE_CANTOPEN, message: error.description, sql: "open", path: path)
            }
            access = SQLITE_OPEN_READWRITE
        }
        // A symlink at the database's path (or its journal's) is never followed.
        let flags = access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: SQLiteError.Code(rc), message: message, statement: "open", path: path)
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
        return db
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Deletes the database file with its journal, WAL and shared-memory files and connects to a
    /// new, empty database at the same path. When that fails the old connection stays open.
    func recreate() throws(SQLiteError) {
        Self.remove(path: path)
        let fresh = try Self.open(path: path, mode: .readWrite)
        // SQLite creates the new files lazily, so closing the old connection cannot remove them.
        sqlite3_close_v2(handle)
        handle = fresh
    }

    /// Deletes a database file with its journal, WAL and shared-memory files.
    static func remove(path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? Posix.remove(path + suffix) }
    }

    /// Runs one or more statements that return no rows (`sqlite3_exec`).
    func execute(_ sql: String) throws(SQLiteError) {
        var errorText: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorText)
        if rc != SQLITE_OK {
            let message = errorText.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorText)
            throw SQLiteError(code: SQLiteError.Code(rc), message: message, statement: sql, path: path)
        }
    }

    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw error(rc, sql: sql)
        }
        return Statement(handle: statement, database: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// Rowid of the last inserted row.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The single integer a query returns, or `nil` for no row or NULL.
    func scalar(_ sql: String, _ bindings: Int64...) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        for (index, value) in bindings.enumerated() { try statement.bind(Int32(index + 1), value) }
        guard try statement.step() else { return nil }
        return statement.optionalInt64(0)
    }

    /// The error for result code `rc` of `sql`, with the connection's message.
    func error(_ rc: Int32, sql: String) -> SQLiteError {
        SQLiteError(code: SQLiteError.Code(rc), message: String(cString: sqlite3_errmsg(handle)), statement: sql, path: path)
    }
}
