internal import TallyPosix
internal import Glibc
import Synchronization
import TallyCore
import TallySnapshot
import TallySpool

/// Finds events whose text fields hold a text (ASCII case-insensitive; fields in ``EventText``),
/// oldest first.
///
/// ```swift
/// let search = try EventSearch(text: "database optimization", limit: 20)
/// try search.run(snapshot: reader, threads: 2) { row in print(row.sessionID ?? "-", row.field!) }
/// ```
///
/// With `sessionIDs` or `userID` only those sessions' frames are read, through the frame index
/// (``SessionEvents``). Otherwise every retained file of the index is scanned on `threads`
/// threads, each frame decompressed once; a frame (and a line) without the longest plain run of
/// the text is skipped before any JSON is parsed. Memory: the rows kept (at most twice `limit`
/// a thread) and one frame a thread.
public struct EventSearch: Sendable {
    public var text: String
    public var sessionIDs: [String]?
    public var userID: String?
    /// Event type names; empty: all.
    public var types: Set<String>
    /// On the event's `ts`: at or after `since`, before `until` (epoch ms).
    public var since: Int64?
    public var until: Int64?
    /// Rows at most; 0: all.
    public var limit: Int

    /// Throws ``EventsError`` `.badQuery` for an empty text.
    public init(
        text: String, sessionIDs: [String]? = nil, userID: String? = nil, types: Set<String> = [],
        since: Int64? = nil, until: Int64? = nil, limit: Int = 100
    ) throws {
        guard !text.isEmpty else { throw EventsError(code: .badQuery, message: "search needs a text that is not empty") }
        self.text = text
        self.sessionIDs = sessionIDs
        self.userID = userID
        self.types = types
        self.since = since
        self.until = until
        self.limit = max(0, limit)
    }

    /// A matching row with what orders it and tells its copies apart.
    struct Found: Sendable {
        var row: EventRow
        var file: Int
        var sequence: Int
        var eventID: EventID?
    }

    /// Gives the matching rows, oldest first (ties: file, then place in it), to `body`.
    @discardableResult
    /// `stop` is asked between frames: once it says so (the client went away) the scan ends and
    /// no row is given.
    public func run(
        snapshot: SnapshotReader, threads: Int = 1, stop: @escaping @Sendable () -> Bool = { false },
        _ body: (EventRow) throws -> Void
    ) throws -> EventReadReport {
        let needle = EventText.Needle(text)!
        var report = EventReadReport()
        var found: [Found]
        if sessionIDs != nil || userID != nil {
            found = try indexed(snapshot: snapshot, needle: needle, report: &report)
        } else {
            found = try scan(snapshot: snapshot, needle: needle, threads: max(1, threads), stop: stop, report: &report)
        }
        if stop() { return report }
        Self.order(&found)
        var dedup = Dedup(window: snapshot.foldLimits.dedupWindowMs)
        for item in found {
            if limit > 0 && report.rows >= limit { break }
            guard dedup.admit(id: item.eventID, timestamp: item.row.timestamp) else { continue }
            try body(item.row)
            report.rows += 1
        }
        return report
    }

    static func order(_ found: inout [Found]) {
        found.sort { ($0.row.timestamp, $0.file, $0.row.offset, $0.sequence) < ($1.row.timestamp, $1.file, $1.row.offset, $1.sequence) }
    }

    /// Keeps the oldest `limit` (and their copies): sorts and cuts once twice as many are held.
    func trim(_ found: inout [Found]) {
        guard limit > 0, found.count > 2 * limit + 64 else { return }
        Self.order(&found)
        found.removeLast(found.count - limit - 32)
    }

    private func accepts(timestamp: Int64, type: String) -> Bool {
        if let since, timestamp < since { return false }
        if let until, timestamp >= until { return false }
        return types.isEmpty || types.contains(type)
    }

    /// Through the index: the given sessions (those of `userID` when given too).
    private func indexed(snapshot: SnapshotReader, needle: EventText.Needle, report: inout EventReadReport) throws -> [Found] {
        var sessions = sessionIDs ?? []
        if let userID {
            let ofUser = try snapshot.sessionIDs(ofUser: userID)
            sessions = sessionIDs == nil ? ofUser : sessions.filter(Set(ofUser).contains)
        }
        var found: [Found] = []
        for (rank, session) in Array(Set(sessions)).sorted().enumerated() {
            var partial = EventReadReport()
            partial = try SessionEvents.read(snapshot: snapshot, session: session, types: types) { row in
                guard accepts(timestamp: row.timestamp, type: row.type) else { return }
                let field = row.event.withUnsafeBytes { line -> String? in
                    guard needle.probe.isEmpty || EventText.contains(line, needle.probe),
                        let kind = Event.Kind.allCases.first(where: { $0.name == row.type })
                    else { return nil }
                    return EventText.match(line, kind: kind, needle: needle)
                }
                guard let field else { return }
                var matched = row
                matched.field = field
                found.append(Found(row: matched, file: rank, sequence: found.count, eventID: nil))
                trim(&found)
            }
            partial.rows = 0
            report.add(partial)
        }
        return found
    }

    /// Every retained file of the index, on `threads` threads.
    private func scan(
        snapshot: SnapshotReader, needle: EventText.Needle, threads: Int, stop: @escaping @Sendable () -> Bool,
        report: inout EventReadReport
    ) throws -> [Found] {
        let files = try snapshot.frameFiles().sorted { $0.key < $1.key }.map(\.value)
        let limits = snapshot.foldLimits
        let pricing = try snapshot.framePricing()
        let next = Atomic<Int>(0)
        let results = Mutex<(found: [Found], report: EventReadReport)>(([], EventReadReport()))
        let search = self
        withUnsafePointer(to: next) { nextPointer in
            let shared = SharedCounter(pointer: nextPointer)
            let handles = (0..<min(threads, max(1, files.count))).map { _ in
                Threads.start {
                    var decoder = EventDecoder(maxLineBytes: limits.maxLineBytes, keepsUnfoldedText: false)
                    var found: [Found] = []
                    var local = EventReadReport()
                    while true {
                        let index = shared.pointer.pointee.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard index < files.count, !stop() else { break }
                        search.scanFile(
                            files[index], rank: index, needle: needle, pricing: pricing, decoder: &decoder, found: &found,
                            report: &local, stop: stop)
                    }
                    results.withLock { $0.found += found; $0.report.add(local) }
                }
            }
            handles.forEach(Threads.join)
        }
        return results.withLock { all in
            report.add(all.report)
            return all.found
        }
    }

    /// Scans one file: its frames (or blocks), skipping those without the probe before decoding.
    func scanFile(
        _ path: String, rank: Int, needle: EventText.Needle, pricing: [String: [ModelPrice]], decoder: inout EventDecoder,
        found: inout [Found],
        report: inout EventReadReport, stop: () -> Bool = { false }
    ) {
        guard let existing = FrameLoader.existing(path) else {
            report.missingFiles.append(path)
            return
        }
        /// One line at `offset` (a frame's, or for a plain file the line's own).
        func scanLine(_ line: UnsafeRawBufferPointer, offset: Int64) {
            guard !line.isEmpty, needle.probe.isEmpty || EventText.contains(line, needle.probe),
                case .event(let event) = decoder.decode(line),
                accepts(timestamp: event.timestamp, type: event.kind.name),
                let field = EventText.match(line, kind: event.kind, needle: needle)
            else { return }
            var cost: Int64?
            if case .llmCall(let call) = event.payload {
                cost = FramePricing.costNanos(of: call, timestamp: event.timestamp, pricing: pricing)
            }
            let row = EventRow(
                timestamp: event.timestamp, type: event.kind.name, sessionID: event.sessionID, source: existing,
                offset: offset, costNanos: cost, event: Array(line), field: field)
            found.append(Found(row: row, file: rank, sequence: found.count, eventID: event.eventID))
            trim(&found)
        }
        /// A block of whole lines of a plain file, the first at `offset`.
        func scanBlock(_ bytes: UnsafeRawBufferPointer, offset: Int64) {
            guard needle.probe.isEmpty || EventText.contains(bytes, needle.probe), let base = bytes.baseAddress else { return }
            var start = 0
            while start < bytes.count {
                let end = memchr(base + start, 0x0A, bytes.count - start).map { UnsafeRawPointer($0) - base } ?? bytes.count
                scanLine(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), offset: offset + Int64(start))
                start = end + 1
            }
        }
        do {
            if existing.hasSuffix(".ndjson") {
                // A line cut for being too long was `too_long` to the fold, not an event.
                try LineFileReader(path: existing, regularOnly: true).read { piece in
                    if stop() { throw Stopped() }
                    if case .lines(let offset, let chunk) = piece { scanBlock(chunk, offset: offset) }
                }
            } else {
                _ = try SegmentReader(path: existing, followSymlinks: false).read { item in
                    if stop() { throw Stopped() }
                    switch item {
                    case .frame(let frame):
                        if let bytes = frame.bytes, !needle.probe.isEmpty, !EventText.contains(bytes, needle.probe) { return }
                        try frame.forEachLine { line in
                            if !line.isCut { scanLine(line.bytes, offset: frame.offset) }
                        }
                    case .damaged(let damage):
                        report.damaged.append("\(existing): damaged frame at byte \(damage.offset) (\(damage.length) bytes): \(damage.reason)")
                    }
                }
            }
        } catch is Stopped {
            return
        } catch {
            report.damaged.append("\(existing): \(error)")
        }
    }
}

/// Thrown inside a file's scan once `stop` says so.
private struct Stopped: Error {}

/// The next file to scan, shared by the scanning threads.
private struct SharedCounter: @unchecked Sendable {
    let pointer: UnsafePointer<Atomic<Int>>
}
