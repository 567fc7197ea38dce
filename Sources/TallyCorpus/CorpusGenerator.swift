/// Deterministic generator of realistic NDJSON event streams (the Tally event contract):
/// many concurrent chat sessions of an assistant calling MCP tools, interleaved roughly in
/// event time, with retries, late deliveries and, when asked, invalid lines of every reason.
///
/// ```swift
/// var generator = CorpusGenerator(CorpusConfiguration(seed: 7, events: 1_000))
/// var line: [UInt8] = []
/// while generator.nextLine(into: &line) {
///     consume(line)          // one line, "\n" included
///     line.removeAll(keepingCapacity: true)
/// }
/// ```
///
/// The same configuration gives the same bytes on every platform: the generator uses its own
/// PRNG (xoshiro256** seeded by SplitMix64) and no Foundation. Lines average about 360 bytes,
/// so 1.8 M events make about 660 MB. Cost per line is O(log concurrency).
package struct CorpusGenerator: Sendable {
    let configuration: CorpusConfiguration
    var random: RandomSource
    let userText: TextPool
    let assistantText: TextPool
    /// Per organization: `org_…` is in `Vocabulary.organizations`; these are its `proj_…` ids.
    let projectIDs: [[[UInt8]]]

    /// Sessions in flight, one per slot, and a binary min-heap of slots by their next event time.
    var sessions: [SessionState] = []
    var heap: [Int] = []
    var nextSystemLogAt: Int64
    var systemLogSerial: UInt64 = 0
    /// Event time of the last scheduled line written.
    var now: Int64

    /// Lines held back: late deliveries and retried copies.
    var pending: [PendingLine] = []
    var pendingEarliest = Int64.max

    /// Facts about the line being written, recorded once it is emitted.
    var current = LineInfo()
    var counters = Counters()
    var linesProduced = 0

    /// The reason name (`not_json`, `bad_ts`, …) of the last line produced when it was
    /// invalid on purpose; `nil` after a valid line.
    package private(set) var lastInvalidReason: String?

    package init(_ configuration: CorpusConfiguration) {
        self.configuration = configuration
        random = RandomSource(seed: configuration.seed)
        userText = TextPool(sentences: Vocabulary.userSentences, length: 48 << 10, random: &random)
        assistantText = TextPool(sentences: Vocabulary.assistantSentences, length: 192 << 10, random: &random)
        projectIDs = Vocabulary.organizations.map { org in
            Vocabulary.projectNames.map { Array("proj_".utf8) + org.dropFirst(4) + [UInt8(ascii: "_")] + $0 }
        }
        now = configuration.startTime
        nextSystemLogAt = configuration.startTime + 1_500
        let slots = max(1, configuration.concurrency)
        sessions.reserveCapacity(slots)
        for slot in 0..<slots {
            let first = configuration.startTime + Int64(random.below(60_000))
            sessions.append(newSession(at: first))
            heap.append(slot)
            siftUp(heap.count - 1)
        }
    }

    /// Appends the next line (with its `"\n"`) to `buffer`; `false` once `events` lines were produced.
    package mutating func nextLine(into buffer: inout [UInt8]) -> Bool {
        guard linesProduced < configuration.events else { return false }
        linesProduced += 1
        let start = buffer.count
        lastInvalidReason = nil
        if configuration.invalidFraction > 0, random.unit() < configuration.invalidFraction {
            let reason = writeInvalidLine(into: &buffer)
            lastInvalidReason = reason.name
            counters.invalid[Int(reason.rawValue)] += 1
            counters.bytes += buffer.count - start
            return true
        }
        while true {
            let top = sessions[heap[0]].nextAt
            let scheduled = min(top, nextSystemLogAt)
            if pendingEarliest <= scheduled {
                emitEarliestPending(into: &buffer)
                counters.bytes += buffer.count - start
                return true
            }
            current = LineInfo()
            if nextSystemLogAt <= top {
                now = nextSystemLogAt
                writeSystemLog(into: &buffer)
                nextSystemLogAt = now + random.between(Int64(3_000), 45_000)
            } else {
                now = top
                step(slot: heap[0], into: &buffer)
                siftDown(0)
            }
            if configuration.lateFraction > 0, random.unit() < configuration.lateFraction {
                hold(buffer[start...], until: now + random.between(Int64(1_000), 20_000), isDuplicate: false)
                buffer.removeSubrange(start...)
                continue
            }
            if current.hasEventID, configuration.duplicateFraction > 0, random.unit() < configuration.duplicateFraction {
                hold(buffer[start...], until: now + random.between(Int64(1_000), 15_000), isDuplicate: true)
            }
            record(current, late: false, duplicate: false)
            counters.bytes += buffer.count - start
            return true
        }
    }

    /// Produces every remaining line, handing them over in chunks of about 1 MiB.
    package mutating func write(to sink: (UnsafeRawBufferPointer) -> Void) {
        var chunk: [UInt8] = []
        chunk.reserveCapacity((1 << 20) + 64 << 10)
        while nextLine(into: &chunk) {
            if chunk.count >= 1 << 20 {
                chunk.withUnsafeBytes(sink)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { chunk.withUnsafeBytes(sink) }
    }

    /// The whole corpus of `configuration` in memory (for tests and small samples).
    package static func bytes(_ configuration: CorpusConfiguration) -> [UInt8] {
        var generator = CorpusGenerator(configuration)
        var all: [UInt8] = []
        all.reserveCapacity(configuration.events * 380)
        while generator.nextLine(into: &all) {}
        return all
    }

    /// What was produced so far.
    package var statistics: CorpusStatistics {
        var statistics = CorpusStatistics()
        statistics.lines = linesProduced
        statistics.bytes = counters.bytes
        for (index, name) in LineKind.names.enumerated() where counters.types[index] > 0 {
            statistics.eventsByType[name] = counters.types[index]
        }
        for (index, name) in EndStatus.names.enumerated() where counters.ends[index] > 0 {
            statistics.sessionEndsByStatus[name] = counters.ends[index]
        }
        for reason in InvalidLineReason.allCases where counters.invalid[Int(reason.rawValue)] > 0 {
            statistics.invalidByReason[reason.name] = counters.invalid[Int(reason.rawValue)]
        }
        statistics.duplicates = counters.duplicates
        statistics.lateLines = counters.late
        statistics.offsetTimestamps = counters.offsetTimestamps
        statistics.epochMillisTimestamps = counters.epochTimestamps
        return statistics
    }
}

// MARK: - Bookkeeping

/// The `type` of a valid line.
enum LineKind: UInt8 {
    case sessionStart, sessionEnd, message, llmCall, toolCall, log, feedback, access
    static let names = ["session_start", "session_end", "message", "llm_call", "tool_call", "log", "feedback", "access"]
}

enum EndStatus: UInt8 {
    case completed, failed, cancelled, timeout
    static let names = ["completed", "failed", "cancelled", "timeout"]
}

struct LineInfo {
    var kind = LineKind.log
    var endStatus = EndStatus.completed
    var timestampStyle = TimestampStyle.utcMillis
    var hasEventID = false
}

struct PendingLine {
    var emitAt: Int64
    var bytes: [UInt8]
    var info: LineInfo
    var isDuplicate: Bool
}

struct Counters {
    var bytes = 0
    var types = [Int](repeating: 0, count: 8)
    var ends = [Int](repeating: 0, count: 4)
    var invalid = [Int](repeating: 0, count: InvalidLineReason.allCases.count)
    var duplicates = 0
    var late = 0
    var offsetTimestamps = 0
    var epochTimestamps = 0
}

extension CorpusGenerator {
    mutating func record(_ info: LineInfo, late: Bool, duplicate: Bool) {
        counters.types[Int(info.kind.rawValue)] += 1
        if info.kind == .sessionEnd { counters.ends[Int(info.endStatus.rawValue)] += 1 }
        if info.timestampStyle == .offsetMillis { counters.offsetTimestamps += 1 }
        if info.timestampStyle == .epochMillis { counters.epochTimestamps += 1 }
        if late { counters.late += 1 }
        if duplicate { counters.duplicates += 1 }
    }

    mutating func hold(_ line: ArraySlice<UInt8>, until emitAt: Int64, isDuplicate: Bool) {
        pending.append(PendingLine(emitAt: emitAt, bytes: Array(line), info: current, isDuplicate: isDuplicate))
        pendingEarliest = min(pendingEarliest, emitAt)
    }

    mutating func emitEarliestPending(into buffer: inout [UInt8]) {
        var earliest = 0
        for index in pending.indices where pending[index].emitAt < pending[earliest].emitAt {
            earliest = index
        }
        let line = pending.remove(at: earliest)
        buffer.append(contentsOf: line.bytes)
        record(line.info, late: !line.isDuplicate, duplicate: line.isDuplicate)
        pendingEarliest = pending.lazy.map(\.emitAt).min() ?? .max
    }

    // MARK: Heap of slots by next event time (ties by slot, so the order is deterministic)

    @inline(__always)
    func precedes(_ a: Int, _ b: Int) -> Bool {
        let ta = sessions[a].nextAt
        let tb = sessions[b].nextAt
        return ta < tb || (ta == tb && a < b)
    }

    mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func siftDown(_ index: Int) {
        var parent = index
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            if left + 1 < count, precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard precedes(heap[smallest], heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
