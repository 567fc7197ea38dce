import TallyCore

/// One column of the session tables (`sessions_hot`, `sessions_cold`): its name, its SQL
/// declaration, how a session version binds it and how a query reads it back. The list
/// ``SessionColumns/all`` is the only place that knows the columns' order.
struct SessionColumn: Sendable {
    /// What an insert binds for one session version; `json` is a scratch buffer for JSON texts.
    struct Version {
        var row: SessionRow
        var state: [UInt8]
        var generation: Int64
        var json = JSONBytes()
    }

    /// Binds a column's value to parameter `index` of an insert.
    typealias Bind = @Sendable (Statement, Int32, inout Version) throws(SQLiteError) -> Void
    /// Reads a column (at `index` of a query's row) into a ``SessionRow``.
    typealias Read = @Sendable (Statement, Int32, inout SessionRow) -> Void

    let name: String
    /// Type and constraint as in `CREATE TABLE`: `INTEGER NOT NULL`.
    let declaration: String
    /// `nil`: inserted as NULL.
    let bind: Bind?
    /// `nil`: no field of a row holds it.
    let read: Read?
    /// Session queries select the column (the versioning columns and the fold's state they do not).
    let selected: Bool
    /// Where a column that stores a field of ``SessionRow`` finds it: the writer binds such
    /// columns straight from the row's bytes, without calling `bind`.
    let stored: FieldSlot?

    init(
        _ name: String, _ declaration: String, selected: Bool = true, stored: FieldSlot? = nil,
        bind: Bind?, read: Read? = nil
    ) {
        self.name = name
        self.declaration = declaration
        self.selected = selected
        self.stored = stored
        self.bind = bind
        self.read = read
    }

    /// The value a row written before the column existed reads as: its `DEFAULT`, else NULL.
    var defaultSQL: String { Schema.defaultSQL(declaration) }

    /// A column that stores the `Int64` field `field` of the row. `declaration`: a column added
    /// to existing tables needs a `DEFAULT`.
    static func integer(
        _ name: String, _ field: WritableKeyPath<SessionRow, Int64> & Sendable, declaration: String = "INTEGER NOT NULL"
    ) -> SessionColumn {
        SessionColumn(
            name, declaration, stored: FieldSlot(field, .integer), bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row[keyPath: field])
            }, read: { statement, index, row in row[keyPath: field] = statement.int64(index) })
    }

    /// A column that stores the optional `Int64` field `field` of the row (NULL when absent).
    static func integer(_ name: String, _ field: WritableKeyPath<SessionRow, Int64?> & Sendable) -> SessionColumn {
        SessionColumn(
            name, "INTEGER", stored: FieldSlot(field, .optionalInteger), bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row[keyPath: field])
            }, read: { statement, index, row in row[keyPath: field] = statement.optionalInt64(index) })
    }

    /// A column that stores the optional `Double` field `field` of the row (NULL when absent).
    static func real(_ name: String, _ field: WritableKeyPath<SessionRow, Double?> & Sendable) -> SessionColumn {
        SessionColumn(
            name, "REAL", stored: FieldSlot(field, .optionalReal), bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row[keyPath: field])
            }, read: { statement, index, row in row[keyPath: field] = statement.optionalDouble(index) })
    }

    /// A column that stores the optional text field `field` of the row (NULL when absent).
    static func text(_ name: String, _ field: WritableKeyPath<SessionRow, String?> & Sendable) -> SessionColumn {
        SessionColumn(
            name, "TEXT", stored: FieldSlot(field, .optionalText), bind: { statement, index, version throws(SQLiteError) in
                try statement.bind(index, version.row[keyPath: field])
            }, read: { statement, index, row in row[keyPath: field] = statement.optionalString(index) })
    }

    /// A column the writer computes from the version (`value`) and queries only select (to sort by it).
    static func derived(_ name: String, _ declaration: String, _ value: @escaping @Sendable (SessionRow) -> Int64) -> SessionColumn {
        SessionColumn(name, declaration, bind: { statement, index, version throws(SQLiteError) in
            try statement.bind(index, value(version.row))
        })
    }
}
