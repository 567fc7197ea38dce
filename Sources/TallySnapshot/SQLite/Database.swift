internal import CSQLite
internal import Glibc

/// One SQLite connection. Not thread-safe: owned by one writer or one reader.
///
/// ```swift
/// let db = try Database(path: "/tmp/x.db", mode: .readWrite)
/// try db.execute("CREATE TABLE t(a INTEGER)")
/// let insert = try db.prepare("INSERT INTO t(a) VALUES (?)")
/// try insert.bind(1, Int64(7)); _ = try insert.step(); insert.reset()
/// ```
final class Database {
    enum Mode { case readOnly, readWrite }

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
        let flags = (mode == .readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, sql: "open", path: path)
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
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// Runs one or more statements that return no rows (`sqlite3_exec`).
    func execute(_ sql: String) throws(SQLiteError) {
        var errorText: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorText)
        if rc != SQLITE_OK {
            let message = errorText.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errorText)
            throw SQLiteError(code: rc, message: message, sql: sql, path: path)
        }
    }

    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
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

    /// The names of the columns of `table` (none when there is no such table).
    func columns(of table: String) throws(SQLiteError) -> Set<String> {
        let statement = try prepare("SELECT name FROM pragma_table_info('\(table)')")
        var names = Set<String>()
        while try statement.step() { names.insert(statement.string(0)) }
        return names
    }

    func error(_ rc: Int32, sql: String) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }
}

/// An SQLite error: the result code, SQLite's message, the statement and the database file.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String
    var path: String

    var description: String {
        let statement = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let shown = statement.count > 100 ? statement.prefix(100) + "…" : Substring(statement)
        return "sqlite error \(code) (\(message)) in \(path) running `\(shown)`"
    }
}
