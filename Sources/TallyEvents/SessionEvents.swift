import TallyCore
import TallySnapshot

/// A session's events, read back from the spool through a snapshot's frame index: only the frames
/// that hold them are read; the valid, folded events (never duplicates or invalid lines) come in
/// `ts` order, ties in read order.
///
/// ```swift
/// let reader = try SnapshotReader(path: "/var/tally/snapshots")
/// let report = try SessionEvents.read(snapshot: reader, session: "s-1", types: ["llm_call"]) { row in
///     print(row.timestamp, row.type, row.costNanos ?? 0)
/// }
/// if report.missingEvents > 0 { print("\(report.missingEvents) events are in files that are gone") }
/// ```
///
/// Memory: about 40 bytes an event of the session for the sort, plus at most ``cacheBytes`` of
/// decompressed frames; the events themselves are streamed to `body`, never held all at once.
public enum SessionEvents {
    /// Decompressed frames kept while the sorted events are given out.
    public static let cacheBytes = 64 << 20

    /// An event found in the first pass: its place for the sort and where its line is.
    struct Located {
        var timestamp: Int64
        var sequence: Int
        var frame: Int32
        var start: Int32
        var count: Int32
        var costNanos: Int64?
        var kind: Event.Kind
    }

    /// Gives the session's events to `body` in `ts` order; `types` (event type names, empty: all)
    /// filters, `limit` (0: all) stops early. Throws ``EventsError`` with `.sessionNotFound` for a
    /// session the snapshot does not hold.
    @discardableResult
    public static func read(
        snapshot: SnapshotReader, session: String, types: Set<String> = [], limit: Int = 0,
        _ body: (EventRow) throws -> Void
    ) throws -> EventReadReport {
        guard let (frames, forgotten) = try snapshot.frames(ofSession: session) else {
            throw EventsError(code: .sessionNotFound, message: "no session '\(session)' in snapshot \(snapshot.manifestPath)")
        }
        var report = EventReadReport()
        report.missingEvents = forgotten
        let pricing = try snapshot.framePricing()
        let limits = snapshot.foldLimits
        var decoder = EventDecoder(maxLineBytes: limits.maxLineBytes, keepsUnfoldedText: false)
        var dedup = Dedup(window: limits.dedupWindowMs)
        var located: [Located] = []
        var missingFiles = Set<String>()
        var cache = FrameCache(limit: cacheBytes)
        for (position, frame) in frames.enumerated() {
            guard let path = frame.path else {
                report.missingEvents += frame.events
                continue
            }
            switch FrameLoader.load(path: path, offset: frame.ref.offset) {
            case .missing(let path):
                report.missingEvents += frame.events
                missingFiles.insert(path)
            case .damaged(let text):
                report.damagedEvents += frame.events
                report.damaged.append(text)
            case .loaded(let loaded):
                var found: UInt64 = 0
                loaded.bytes.withUnsafeBytes { bytes in
                    loaded.forEachLine { start, count in
                        guard case .event(let event) = decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<start + count])),
                            event.sessionID == session, dedup.admit(event)
                        else { return }
                        found += 1
                        guard types.isEmpty || types.contains(event.kind.name) else { return }
                        var cost: Int64?
                        if case .llmCall(let call) = event.payload {
                            cost = FramePricing.costNanos(of: call, timestamp: event.timestamp, pricing: pricing)
                        }
                        located.append(Located(
                            timestamp: event.timestamp, sequence: located.count, frame: Int32(position),
                            start: Int32(start), count: Int32(count), costNanos: cost, kind: event.kind))
                    }
                }
                if found < frame.events {
                    report.damagedEvents += frame.events - found
                    report.damaged.append("\(loaded.path): the frame at byte \(frame.ref.offset) holds \(found) of the session's \(frame.events) folded events (changed since it was folded)")
                }
                cache.insert(position, loaded)
            }
        }
        report.missingFiles = missingFiles.sorted()
        located.sort { ($0.timestamp, $0.sequence) < ($1.timestamp, $1.sequence) }
        for event in located {
            if limit > 0 && report.rows >= limit { break }
            let position = Int(event.frame)
            let loaded: FrameLoader.Loaded
            if let cached = cache[position] {
                loaded = cached
            } else {
                let frame = frames[position]
                guard case .loaded(let again) = FrameLoader.load(path: frame.path!, offset: frame.ref.offset) else {
                    report.damagedEvents += 1
                    report.damaged.append("\(frame.path!): the frame at byte \(frame.ref.offset) could not be read again")
                    continue
                }
                cache.insert(position, again)
                loaded = again
            }
            let start = Int(event.start)
            try body(EventRow(
                timestamp: event.timestamp, type: event.kind.name, sessionID: session, source: loaded.path,
                offset: loaded.offset(ofLine: start), costNanos: event.costNanos,
                event: Array(loaded.bytes[start..<start + Int(event.count)]), field: nil))
            report.rows += 1
        }
        return report
    }
}

/// The fold's dedup for one reader: a copy of an `event_id` whose `ts` lies within the window of
/// a copy already given is left out, as the fold left it out.
struct Dedup {
    let window: Int64
    private var kept: [EventID: [Int64]] = [:]

    init(window: Int64) { self.window = window }

    mutating func admit(_ event: Event) -> Bool {
        admit(id: event.eventID, timestamp: event.timestamp)
    }

    mutating func admit(id: EventID?, timestamp: Int64) -> Bool {
        guard let id else { return true }
        if let times = kept[id], times.contains(where: { abs($0 - timestamp) <= window }) { return false }
        kept[id, default: []].append(timestamp)
        return true
    }
}

/// Decompressed frames by their place in the index, the oldest dropped past `limit` bytes.
struct FrameCache {
    let limit: Int
    private var frames: [Int: FrameLoader.Loaded] = [:]
    private var order: [Int] = []
    private var bytes = 0

    init(limit: Int) { self.limit = limit }

    subscript(position: Int) -> FrameLoader.Loaded? { frames[position] }

    mutating func insert(_ position: Int, _ loaded: FrameLoader.Loaded) {
        guard frames[position] == nil else { return }
        frames[position] = loaded
        order.append(position)
        bytes += loaded.bytes.count
        while bytes > limit, order.count > 1 {
            let oldest = order.removeFirst()
            bytes -= frames.removeValue(forKey: oldest)?.bytes.count ?? 0
        }
    }
}
