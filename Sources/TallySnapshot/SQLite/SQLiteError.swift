internal import CSQLite

/// A failed SQLite call: its result code, SQLite's message, the statement and the database file.
/// `description` is one line that says what and where.
///
/// ```swift
/// do { try database.execute("BEGIN IMMEDIATE") }
/// catch let error as SQLiteError where error.code.primary == .busy { … }
/// ```
struct SQLiteError: Error, CustomStringConvertible, Sendable, Hashable {
    /// An SQLite result code, extended (`SQLITE_IOERR_FSYNC`) where SQLite gives one: open, so
    /// every code SQLite returns is representable; ``primary`` is its family.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: Int32
        init(_ rawValue: Int32) { self.rawValue = rawValue }
        /// The number, as SQLite documents it.
        var description: String { String(rawValue) }
        /// The primary code of an extended one (its low byte).
        var primary: Code { Code(rawValue & 0xFF) }

        /// Another connection holds a lock (after the busy timeout).
        static let busy = Code(SQLITE_BUSY)
        /// A disk I/O error.
        static let ioError = Code(SQLITE_IOERR)
        /// The database file is damaged.
        static let corrupt = Code(SQLITE_CORRUPT)
        /// The disk is full.
        static let full = Code(SQLITE_FULL)
        /// The database file cannot be opened.
        static let cannotOpen = Code(SQLITE_CANTOPEN)
        /// The file is not a database.
        static let notADatabase = Code(SQLITE_NOTADB)
        /// A write to a read-only database.
        static let readOnly = Code(SQLITE_READONLY)
        /// A constraint (`NOT NULL`, `UNIQUE` …) failed.
        static let constraint = Code(SQLITE_CONSTRAINT)
    }

    var code: Code
    /// SQLite's message: `database is locked`.
    var message: String
    /// The SQL that failed, or `open` for opening the connection.
    var statement: String
    /// The database file.
    var path: String

    /// One line: `sqlite error 5 (database is locked) in /snap/sessions.db running …`, the
    /// statement's whitespace folded and the statement cut at 100 characters.
    var description: String {
        let statement = statement.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let shown = statement.count > 100 ? statement.prefix(100) + "…" : Substring(statement)
        return "sqlite error \(code) (\(message)) in \(path) running `\(shown)`"
    }
}
