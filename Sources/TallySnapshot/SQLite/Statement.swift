internal import CSQLite

/// A prepared statement: bind parameters (1-based), step through rows, read columns (0-based).
/// Reuse with ``reset()``; finalized when released.
final class Statement {
    let handle: OpaquePointer
    let database: Database
    let sql: String

    init(handle: OpaquePointer, database: Database, sql: String) {
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw database.error(rc, sql: sql) }
    }

    func bind(_ index: Int32, _ value: Int64?) throws(SQLiteError) {
        if let value { try check(sqlite3_bind_int64(handle, index, value)) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    func bind(_ index: Int32, _ value: Double?) throws(SQLiteError) {
        if let value { try check(sqlite3_bind_double(handle, index, value)) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    func bind(_ index: Int32, _ value: String?) throws(SQLiteError) {
        guard var value else { return try check(sqlite3_bind_null(handle, index)) }
        // SQLite copies the text (`transient`): no terminated copy is needed, only the UTF-8 bytes in place.
        let rc = value.withUTF8 { text in
            sqlite3_bind_text(
                handle, index, UnsafeRawPointer(text.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                    .assumingMemoryBound(to: CChar.self),
                Int32(text.count), Statement.transient)
        }
        try check(rc)
    }

    /// Binds UTF-8 text given as bytes.
    func bind(_ index: Int32, text value: [UInt8]) throws(SQLiteError) {
        let rc = value.withUnsafeBytes { bytes in
            sqlite3_bind_text(
                handle, index, (bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), Statement.transient)
        }
        try check(rc)
    }

    func bind(_ index: Int32, blob value: [UInt8]) throws(SQLiteError) {
        let rc = value.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), Statement.transient)
        }
        try check(rc)
    }

    /// Advances to the next row: `true` when a row is ready, `false` when done.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw database.error(rc, sql: sql)
        }
    }

    /// Steps a statement that returns no rows, then resets it for reuse. The bindings stay: a caller
    /// binds every parameter before each run, and SQLite then reuses their text buffers instead of
    /// allocating them again for every row.
    func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Clears the previous run and the bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func optionalString(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func string(_ column: Int32) -> String { optionalString(column) ?? "" }

    func blob(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
