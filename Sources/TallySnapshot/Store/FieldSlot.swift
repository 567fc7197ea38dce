import TallyCore

/// A stored field of a row value (``SessionRow``, ``RollupView``, ``TimelineBucket``): its byte
/// offset (`MemoryLayout.offset(of:)`, found once when a column list is built) and its type. The
/// writer binds such columns straight from the row's bytes, not through the key-path runtime
/// (about 850 instructions an access) or a closure a column.
struct FieldSlot: Sendable {
    enum Value: Sendable {
        case integer, optionalInteger, optionalReal, optionalText
    }

    let offset: Int
    let value: Value

    /// The slot of `field`; `nil` when it is not a stored field (it has no offset).
    init?<Row, Field>(_ field: KeyPath<Row, Field>, _ value: Value) {
        guard let offset = MemoryLayout<Row>.offset(of: field) else { return nil }
        self.offset = offset
        self.value = value
    }

    /// Binds the field of the row whose bytes are `row` to parameter `index`.
    func bind(_ row: UnsafeRawBufferPointer, at index: Int32, to statement: Statement) throws(SQLiteError) {
        switch value {
        case .integer: try statement.bind(index, row.load(fromByteOffset: offset, as: Int64.self))
        case .optionalInteger: try statement.bind(index, row.load(fromByteOffset: offset, as: Int64?.self))
        case .optionalReal: try statement.bind(index, row.load(fromByteOffset: offset, as: Double?.self))
        case .optionalText: try statement.bind(index, row.load(fromByteOffset: offset, as: String?.self))
        }
    }

    /// Reads column `index` of the statement's row into the field of the row whose bytes are `row`.
    /// Only plain values are stored this way (texts go through their key path).
    func read(_ statement: Statement, at index: Int32, into row: UnsafeMutableRawBufferPointer) {
        switch value {
        case .integer: row.storeBytes(of: statement.int64(index), toByteOffset: offset, as: Int64.self)
        case .optionalInteger: row.storeBytes(of: statement.optionalInt64(index), toByteOffset: offset, as: Int64?.self)
        case .optionalReal: row.storeBytes(of: statement.optionalDouble(index), toByteOffset: offset, as: Double?.self)
        case .optionalText: preconditionFailure("a text field is read through its key path")
        }
    }

    /// Runs `body` with the bytes of `row`, for binding several slots of it.
    static func withBytes<Row>(
        of row: inout Row, _ body: (UnsafeRawBufferPointer) throws(SQLiteError) -> Void
    ) throws(SQLiteError) {
        var failure: SQLiteError?
        withUnsafeBytes(of: &row) { bytes in
            do throws(SQLiteError) { try body(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
