/// What one NDJSON line decodes to.
public enum DecodeResult: Sendable, Hashable {
    /// A valid event of the contract.
    case event(Event)
    /// An invalid line: dead-lettered and counted under this reason.
    case invalid(InvalidReason)
    /// An empty or white-space-only line: skipped and not counted.
    case blank
}

/// What ``EventDecoder/decode(_:appendingTo:)`` did with one line.
public enum LineOutcome: Sendable, Hashable {
    /// A valid event, appended.
    case appended
    /// An invalid line: dead-lettered and counted under this reason.
    case invalid(InvalidReason)
    /// An empty or white-space-only line: skipped and not counted.
    case blank
}

/// Decodes NDJSON lines of the Tally event contract (shared/spec/events.md) into
/// `Event`s, or says why a line is invalid.
///
/// ```swift
/// var decoder = EventDecoder(maxLineBytes: settings.maxLineBytes)
/// switch line.withUnsafeBytes({ decoder.decode($0) }) {
/// case .event(let event): fold.add(event)
/// case .invalid(let reason): deadLetter.write(line, reason)
/// case .blank: break
/// }
/// ```
///
/// One pass over the line validates all of its JSON and UTF-8 and notes where the
/// known fields lie; a second step reads those fields for the event's type. It
/// allocates only the `String`s the event keeps, and texts longer than 15 bytes
/// (session ids, model and tool names, context ids) seen on recent lines are shared
/// rather than allocated again (see `StringInterner`). Keep one decoder per thread
/// and reuse it for every line.
///
/// A line with several faults gets one reason, the first of: `too_long` (judged
/// on the byte count alone, before anything else), `invalid_utf8` (anywhere in
/// the line), `not_json` (anywhere in the line, nested values included),
/// `not_object`, `missing_type`, `unknown_type` (also a `type` that is not a
/// string), then the fields in a fixed order: `ts`, `session_id`, `event_id`,
/// the context ids, then the type's own fields in the order of the contract's
/// table; the first faulty field gives the reason (`missing_field`, `bad_ts`,
/// `wrong_type`, `out_of_range` or `bad_enum`). A key given twice counts with
/// its last value.
///
/// Readings of the contract where it leaves a choice:
/// - White space is JSON's (space, tab, CR, LF); a line of only white space is
///   `.blank` unless it is longer than `maxLineBytes`.
/// - A `\u` escape of a lone UTF-16 surrogate is `not_json` (I-JSON, RFC 7493).
/// - `type` that is not a string is `unknown_type`.
/// - `ts`: RFC 3339 text (see `Timestamp`) or a JSON integer of epoch milliseconds,
///   both within years 0000–9999; a fraction or exponent number is `bad_ts`,
///   any other JSON type `wrong_type`.
/// - Integer fields take JSON integers only (`12.0`, `1e3`, `"12"` are `wrong_type`);
///   negative or beyond `Int64` is `out_of_range` (`-0` is 0).
/// - `cost_usd` is exact: decimal digits to nano-dollars, half to even past nine
///   decimals; below zero or past `Int64.max` nano-dollars is `out_of_range`.
/// - `rating` is compared with 1...5 after conversion to the nearest `Double`.
/// - Length limits (`session_id` 1–256, `event_id` 1–128) count UTF-8 bytes after
///   unescaping. Other strings have no limit; an empty `model` is accepted.
/// - `content` keeps its UTF-8 byte length after unescaping; `result` keeps the byte
///   length of its JSON text as written (`"ok"` is 4); `parameters` is only
///   validated as JSON; `metadata` on `session_start` must be an object;
///   `comment` must be a string. A field named for another type is ignored.
public struct EventDecoder: Sendable {
    /// Lines longer than this many bytes are `too_long`.
    public var maxLineBytes: Int
    /// Whether the event keeps the texts no fold or view reads. When `false` they are
    /// validated exactly as when `true` but not built: `provider`, `error_message` of
    /// `llm_call` and `tool_call`, `tool_call_id`, `message_id`, `process_id`, `ip_address`
    /// and the log `message` are `""` when present (`nil` when absent). The event keeps
    /// `session_id`, `event_id` (as `EventID`), the context ids, `model`, `tool_name` and the
    /// `session_end` `error_message`, which is all that `FoldState` reads.
    public var keepsUnfoldedText: Bool
    /// Where each known field's value lies in the current line; reused from line to line.
    private var spanTable = SpanTable()
    /// Nesting levels past 64, reused from line to line.
    private var nestingSpill: [UInt64] = []
    /// The field and detail of the last line decoded as invalid (its reason is the one returned).
    public private(set) var lastInvalid = InvalidLine(reason: .notJSON, detail: "")

    public init(maxLineBytes: Int = 1 << 20, keepsUnfoldedText: Bool = true) {
        self.maxLineBytes = maxLineBytes
        self.keepsUnfoldedText = keepsUnfoldedText
    }

    /// Decodes one line, given without its line feed.
    public mutating func decode(_ line: UnsafeRawBufferPointer) -> DecodeResult {
        switch scan(line) {
        case .object(let reader):
            do throws(FieldFault) {
                return .event(try reader.event())
            } catch {
                return .invalid(noteInvalid(error))
            }
        case .invalid(let reason): return .invalid(noteInvalid(reason, count: line.count))
        case .blank: return .blank
        }
    }

    /// Decodes one line like ``decode(_:)-(UnsafeRawBufferPointer)``, appending a valid event to
    /// `events`: the event is built in place, not copied out of a ``DecodeResult``.
    public mutating func decode(_ line: UnsafeRawBufferPointer, appendingTo events: inout [Event]) -> LineOutcome {
        switch scan(line) {
        case .object(let reader):
            do throws(FieldFault) {
                try reader.appendEvent(to: &events)
                return .appended
            } catch {
                return .invalid(noteInvalid(error))
            }
        case .invalid(let reason): return .invalid(noteInvalid(reason, count: line.count))
        case .blank: return .blank
        }
    }

    /// Notes a line that was cut while streamed because it is longer than `max_line_bytes`
    /// (`length`: its whole length in bytes); it is `too_long` and is never decoded.
    public mutating func noteCutLine(length: Int64) -> InvalidReason {
        noteInvalid(.tooLong, count: Int(clamping: length))
    }

    private mutating func noteInvalid(_ fault: FieldFault) -> InvalidReason {
        lastInvalid = InvalidLine(reason: fault.reason, field: fault.field.map { "\($0.name)" }, detail: fault.detail)
        return fault.reason
    }

    /// A line invalid as a whole (no field at fault); `count` is its length in bytes.
    private mutating func noteInvalid(_ reason: InvalidReason, count: Int) -> InvalidReason {
        let detail = switch reason {
        case .tooLong: "the line is \(count) bytes, longer than max_line_bytes \(maxLineBytes)"
        case .invalidUTF8: "the line is not valid UTF-8"
        case .notJSON: "the line is not valid JSON"
        case .notObject: "expected a JSON object"
        default: reason.rawValue
        }
        lastInvalid = InvalidLine(reason: reason, field: nil, detail: detail)
        return reason
    }

    private enum Scan {
        /// A JSON object: the reader of its known fields.
        case object(FieldReader)
        case invalid(InvalidReason)
        case blank
    }

    /// Checks the length, UTF-8 and JSON of a line and notes where its known fields lie.
    /// A UTF-8 byte order mark at the start of the line is ignored (RFC 8259, section 8.1).
    @inline(__always)
    private mutating func scan(_ line: UnsafeRawBufferPointer) -> Scan {
        // Offsets inside the line are 32-bit.
        guard line.count <= min(maxLineBytes, Int(UInt32.max)) else { return .invalid(.tooLong) }
        var line = line
        if line.count >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF {
            line = UnsafeRawBufferPointer(rebasing: line[3...])
        }
        guard let raw = line.baseAddress, line.count > 0 else { return .blank }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        var scanner = JSONScanner(base: base, count: line.count)
        scanner.skipWhitespace()
        if scanner.position == line.count { return .blank }

        if !isKnownUniquelyReferenced(&spanTable) { spanTable = SpanTable() }
        let spans = spanTable.spans
        spans.update(repeating: .absent, count: FieldKey.count)
        do throws(JSONScanner.Failure) {
            guard scanner.current == ASCII.leftBrace else {
                _ = try scanner.scanValue(spill: &nestingSpill)
                scanner.skipWhitespace()
                guard scanner.position == scanner.end else { throw .notJSON }
                return .invalid(.notObject)
            }
            try scanner.scanFields(into: spans, spill: &nestingSpill)
        } catch .invalidUTF8 {
            return .invalid(.invalidUTF8)
        } catch {
            return .invalid(UTF8Text.isValid(base, count: line.count) ? .notJSON : .invalidUTF8)
        }
        return .object(FieldReader(
            base: base, spans: spans, interner: spanTable.interner, keepsUnfoldedText: keepsUnfoldedText))
    }

    /// Decodes one line, given without its line feed.
    public mutating func decode(_ line: [UInt8]) -> DecodeResult {
        line.withUnsafeBytes { decode($0) }
    }
}

extension JSONScanner {
    /// Scans the top-level object at `position` to the end of the line, noting
    /// where the value of each known key lies (the last one wins).
    @inline(__always)
    mutating func scanFields(into spans: UnsafeMutablePointer<ValueSpan>, spill: inout [UInt64]) throws(Failure) {
        position &+= 1
        skipWhitespace()
        if current == ASCII.rightBrace {
            position &+= 1
        } else {
            while true {
                guard current == ASCII.quote else { throw .notJSON }
                let keyStart = position &+ 1
                let key: FieldKey?
                if let length = plainShortString(at: keyStart) {
                    // The usual key: found and matched from two word loads.
                    position = keyStart &+ length &+ 1
                    key = FieldKey.match(base + keyStart, count: length)
                } else {
                    let keyEscapes = try scanString()
                    key = Self.fieldKey(base + keyStart, count: position &- 1 &- keyStart, shrink: keyEscapes)
                }
                skipWhitespace()
                try expect(ASCII.colon)
                skipWhitespace()
                let value = try scanValue(spill: &spill)
                if let key { spans[key.rawValue] = value }
                skipWhitespace()
                let byte = current
                position &+= 1
                if byte == ASCII.comma {
                    skipWhitespace()
                } else if byte == ASCII.rightBrace {
                    break
                } else {
                    throw .notJSON
                }
            }
        }
        skipWhitespace()
        guard position == end else { throw .notJSON }
    }

    @inline(__always)
    static func fieldKey(_ bytes: UnsafePointer<UInt8>, count: Int, shrink: Int) -> FieldKey? {
        if shrink == 0 { return FieldKey.match(bytes, count: count) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            let written = UTF8Text.unescape(bytes, count: count, into: buffer.baseAddress!)
            return FieldKey.match(buffer.baseAddress!, count: written)
        }
    }
}

/// One `ValueSpan` per `FieldKey`, allocated once per decoder, and the decoder's `StringInterner`.
///
/// `@unchecked Sendable`: the decoder replaces a table it does not reference
/// uniquely before writing to it, so two decoders (even copies of one another
/// on different threads) never write to the same table.
final class SpanTable: @unchecked Sendable {
    let spans: UnsafeMutablePointer<ValueSpan>
    let interner = StringInterner()

    init() {
        spans = .allocate(capacity: FieldKey.count)
        spans.initialize(repeating: .absent, count: FieldKey.count)
    }

    deinit {
        spans.deallocate()
    }
}
