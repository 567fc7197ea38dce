public import TallyPosix
import TallyCore

/// One event of a session or of a search, as `tally query events` and `search` print it.
///
/// ```swift
/// try SessionEvents.read(snapshot: reader, session: "s-1") { row in
///     print(row.timestamp, row.type, row.source, row.offset)
/// }
/// ```
public struct EventRow: Sendable, Hashable {
    /// `ts`, epoch milliseconds.
    public var timestamp: Int64
    /// The event's `type` (`message`, `llm_call`, …).
    public var type: String
    public var sessionID: String?
    /// The file holding it (a segment or replay input).
    public var source: String
    /// The byte offset of its zstd frame in `source`, or of its line in a plain NDJSON file.
    public var offset: Int64
    /// For an `llm_call`: the cost the fold counted (provided or priced), nano-dollars; `nil` unpriced.
    public var costNanos: Int64?
    /// The event's object as written (one JSON object, every field kept).
    public var event: [UInt8]
    /// For a search: the key whose text matched.
    public var field: String?

    public var isLLMCall: Bool { type == "llm_call" }
}

/// What a read could not give: events in files that no longer exist, and damaged frames.
public struct EventReadReport: Sendable, Hashable {
    /// Rows given.
    public var rows = 0
    /// Folded events left out because their files are gone (retention, a moved replay input).
    public var missingEvents: UInt64 = 0
    /// The missing files (sorted).
    public var missingFiles: [String] = []
    /// Folded events left out because their frame could no longer be read as it was folded.
    public var damagedEvents: UInt64 = 0
    /// One line a damaged frame: file, byte offset and what is wrong.
    public var damaged: [String] = []

    public init() {}

    mutating func add(_ other: EventReadReport) {
        rows += other.rows
        missingEvents += other.missingEvents
        missingFiles = Array(Set(missingFiles + other.missingFiles)).sorted()
        damagedEvents += other.damagedEvents
        damaged += other.damaged
    }
}

/// Why a read of events failed as a whole: an unknown session, a bad search, an unreadable snapshot.
public typealias EventsError = CodedError<EventsErrorDomain>

/// The domain of ``EventsError``'s codes.
public enum EventsErrorDomain {}

extension ErrorCode where Domain == EventsErrorDomain {
    public static let sessionNotFound = Self("session_not_found")
    public static let badQuery = Self("bad_query")
}
