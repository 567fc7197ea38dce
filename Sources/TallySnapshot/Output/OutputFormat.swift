import TallyCore

/// How `tally query` prints: `table` (aligned, for people), `json` (one value), `ndjson`
/// (one object a line), `csv` (header and rows, RFC 4180 quoting, LF line ends).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json, ndjson, csv
}
