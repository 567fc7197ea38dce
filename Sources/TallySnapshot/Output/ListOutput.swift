import TallyCore

/// Prints the rows of a list subject in one format as they come; tables are buffered to align them.
struct ListOutput {
    let format: OutputFormat
    let fields: [String]
    let columns: [TableColumn]
    let sink: (String) throws -> Void
    private let index: [String: Int]
    private var count = 0
    private var tableRows: [[String]] = []

    init(format: OutputFormat, fields: [String], columns: [TableColumn], sink: @escaping (String) throws -> Void) throws {
        self.format = format
        self.fields = fields
        self.columns = columns
        self.sink = sink
        index = Dictionary(uniqueKeysWithValues: fields.enumerated().map { ($1, $0) })
        if format == .csv { try sink(CSV.line(fields)) }
    }

    private func object(_ values: [JSONValue]) -> JSONValue {
        .object(zip(fields, values).map { ($0, $1) })
    }

    mutating func add(_ values: [JSONValue]) throws {
        switch format {
        case .json: try sink((count == 0 ? "[\n" : ",\n") + object(values).serialized())
        case .ndjson: try sink(object(values).serialized() + "\n")
        case .csv: try sink(CSV.line(values.map(CSV.cell)))
        case .table:
            let row = RowView(values: values, index: index)
            tableRows.append(columns.map { $0.cell(row) })
        }
        count += 1
    }

    /// Adds an object, taking its values in ``fields`` order.
    mutating func add(object: JSONValue) throws {
        try add(fields.map { object[$0] ?? .null })
    }

    mutating func finish() throws {
        switch format {
        case .json: try sink(count == 0 ? "[]\n" : "\n]\n")
        case .ndjson, .csv: break
        case .table: try sink(TableText.render(columns: columns, rows: tableRows))
        }
    }
}

/// Prints one object (`summary`, `session ID`).
func writeSingle(_ object: JSONValue, format: OutputFormat, sink: (String) throws -> Void) rethrows {
    switch format {
    case .json, .ndjson: try sink(object.serialized() + "\n")
    case .csv:
        guard case .object(let fields) = object else { return }
        try sink(CSV.line(fields.map { CSV.quoted($0.key) }))
        try sink(CSV.line(fields.map { CSV.cell($0.value) }))
    case .table: try sink(TableText.vertical(object))
    }
}
