import TallyCore

/// A column of a table: its header, how a row's cell reads, and whether it may be cut to fit 80 columns.
struct TableColumn: Sendable {
    var header: String
    var rightAligned: Bool
    var shrinkable = false
    var cell: @Sendable (RowView) -> String
}
