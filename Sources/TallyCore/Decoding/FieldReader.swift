/// Reads the fields the scanner located into an `Event`, checking each against
/// the contract in a fixed order; the first fault found is thrown.
///
/// ```swift
/// let event = try FieldReader(base: base, spans: spans, interner: interner, keepsUnfoldedText: true).event()
/// ```
struct FieldReader {
    let base: UnsafePointer<UInt8>
    let spans: UnsafeMutablePointer<ValueSpan>
    /// Shares the `String`s of texts seen on earlier lines; owned by the decoder.
    unowned(unsafe) let interner: StringInterner
    /// See `EventDecoder.keepsUnfoldedText`.
    let keepsUnfoldedText: Bool

    @inline(__always)
    subscript(_ key: FieldKey) -> ValueSpan? {
        let span = spans[key.rawValue]
        return span.isPresent ? span : nil
    }

    func event() throws(FieldFault) -> Event {
        try withEvent { $0 }
    }

    /// Decodes the event and appends it to `events` where it is made, not returned first.
    func appendEvent(to events: inout [Event]) throws(FieldFault) {
        try withEvent { events.append($0) }
    }

    /// Decodes the event and hands it to `body`, which `event()` and `appendEvent(to:)` inline.
    @inline(__always)
    private func withEvent<Result>(_ body: (consuming Event) -> Result) throws(FieldFault) -> Result {
        guard let typeSpan = self[.type] else { throw .missingType }
        guard typeSpan.kind == .string, let kind = withText(typeSpan, Self.kind(named:count:)) else {
            throw .unknownType(text(typeSpan))
        }
        let timestamp = try timestamp()
        let sessionID = kind == .log
            ? try string(.sessionID, bytes: 1...256)
            : try requiredString(.sessionID, bytes: 1...256)
        let eventID = try eventIdentifier()
        let context = SessionContext(
            conversationID: try string(.conversationID),
            userID: try string(.userID),
            orgID: try string(.orgID),
            projectID: try string(.projectID),
            personaID: try string(.personaID)
        )
        let payload = try payload(kind)
        // The memberwise initializer: it moves the parts in (see `Event.payload`).
        return body(Event(timestamp: timestamp, sessionID: sessionID, eventID: eventID, payload: payload, context: context))
    }

    private func payload(_ kind: Event.Kind) throws(FieldFault) -> Event.Payload {
        switch kind {
        case .sessionStart:
            if let metadata = self[.metadata], metadata.kind != .object {
                throw .wrongType(.metadata, expected: "an object", got: metadata.kind)
            }
            return .sessionStart
        case .sessionEnd:
            return .sessionEnd(Event.SessionEnd(
                status: try required(.status, enumeration(.status, Names.endStatus)),
                errorMessage: try string(.errorMessage)))
        case .message:
            let role = try required(.role, enumeration(.role, Names.role))
            let turn = try count(.turn)
            let messageID = try unfoldedString(.messageID)
            var contentBytes: Int64?
            if let content = self[.content] {
                guard content.kind == .string else { throw .wrongType(.content, expected: "a string", got: content.kind) }
                contentBytes = Int64(content.unescapedCount)
            }
            return .message(Event.Message(role: role, turn: turn, messageID: messageID, contentBytes: contentBytes))
        case .llmCall:
            let model = try requiredString(.model)
            let provider = try unfoldedString(.provider)
            let inputTokens = try count(.inputTokens)
            let outputTokens = try count(.outputTokens)
            let cachedInputTokens = try count(.cachedInputTokens)
            try Self.check(.cachedInputTokens, cachedInputTokens, within: .inputTokens, inputTokens)
            let reasoningTokens = try count(.reasoningTokens)
            try Self.check(.reasoningTokens, reasoningTokens, within: .outputTokens, outputTokens)
            let cacheWriteInputTokens = try count(.cacheWriteInputTokens)
            try Self.check(cacheWrite: cacheWriteInputTokens, cached: cachedInputTokens, input: inputTokens)
            let costNanos = try costNanos()
            let latencyMs = try count(.latencyMs)
            let ttftMs = try count(.ttftMs)
            let status = try enumeration(.status, Names.callStatus) ?? .success
            return .llmCall(Event.LLMCall(
                model: model, provider: provider, inputTokens: inputTokens, outputTokens: outputTokens,
                cachedInputTokens: cachedInputTokens, reasoningTokens: reasoningTokens,
                cacheWriteInputTokens: cacheWriteInputTokens,
                costNanos: costNanos, latencyMs: latencyMs, ttftMs: ttftMs, status: status,
                errorMessage: try errorMessage(kept: status != .success),
                contextWindow: try count(.contextWindow, minimum: 1), turn: try count(.turn)))
        case .toolCall:
            let toolName = try requiredString(.toolName)
            let status = try required(.status, enumeration(.status, Names.callStatus))
            let executionTimeMs = try count(.executionTimeMs)
            let toolCallID = try unfoldedString(.toolCallID)
            let resultBytes = self[.result].map { Int64($0.end - $0.start) }
            return .toolCall(Event.ToolCall(
                toolName: toolName, status: status, executionTimeMs: executionTimeMs, toolCallID: toolCallID,
                resultBytes: resultBytes, errorMessage: try errorMessage(kept: status != .success),
                turn: try count(.turn)))
        case .log:
            return .log(Event.Log(
                level: try required(.level, enumeration(.level, Names.logLevel)),
                message: try required(.message, unfoldedString(.message)),
                processID: try processID()))
        case .feedback:
            let rating = try rating()
            let sentiment = try enumeration(.sentiment, Names.sentiment)
            if let comment = self[.comment], comment.kind != .string {
                throw .wrongType(.comment, expected: "a string", got: comment.kind)
            }
            return .feedback(Event.Feedback(rating: rating, sentiment: sentiment, messageID: try unfoldedString(.messageID)))
        case .access:
            return .access(Event.Access(
                outcome: try required(.outcome, enumeration(.outcome, Names.accessOutcome)),
                ipAddress: try unfoldedString(.ipAddress)))
        }
    }

    // MARK: Field kinds

    private func timestamp() throws(FieldFault) -> Int64 {
        guard let span = self[.ts] else { throw .missing(.ts) }
        switch span.kind {
        case .string:
            let parsed = withText(span) { text, count in Timestamp.epochMilliseconds(rfc3339: text, count: count) }
            guard let parsed else { throw .badTimestamp(text(span)) }
            return parsed
        case .integer:
            guard case .value(let milliseconds) = DecimalNumber.integer(base + span.start, count: span.end - span.start),
                  milliseconds >= Timestamp.earliest, milliseconds <= Timestamp.latest
            else { throw .badTimestamp(text(span)) }
            return milliseconds
        case .number:
            throw .badTimestamp(text(span))  // a number, but not integer milliseconds
        default:
            throw .wrongType(.ts, expected: "a string or an integer", got: span.kind)
        }
    }

    @inline(__always)
    private func required<Value>(_ key: FieldKey, _ value: Value?) throws(FieldFault) -> Value {
        guard let value else { throw .missing(key) }
        return value
    }

    private func requiredString(_ key: FieldKey, bytes limits: ClosedRange<Int>? = nil) throws(FieldFault) -> String {
        try required(key, string(key, bytes: limits))
    }

    /// A string field; `limits` bounds its UTF-8 length after unescaping.
    private func string(_ key: FieldKey, bytes limits: ClosedRange<Int>? = nil) throws(FieldFault) -> String? {
        guard let span = self[key] else { return nil }
        guard span.kind == .string else { throw .wrongType(key, expected: "a string", got: span.kind) }
        let length = span.unescapedCount
        if let limits, !limits.contains(length) { throw Self.lengthFault(key, length, limits) }
        let body = base + span.start + 1
        if span.shrink == 0 { return interner.string(body, count: length) }
        return String(unsafeUninitializedCapacity: length) { buffer in
            UTF8Text.unescape(body, count: span.end - span.start - 2, into: buffer.baseAddress!)
        }
    }

    /// A string field that no fold or view reads: checked like `string(_:)` (it has no length
    /// limits), but built only when `keepsUnfoldedText`; otherwise `""` when present, else `nil`.
    private func unfoldedString(_ key: FieldKey) throws(FieldFault) -> String? {
        if keepsUnfoldedText { return try string(key) }
        guard let span = self[key] else { return nil }
        guard span.kind == .string else { throw .wrongType(key, expected: "a string", got: span.kind) }
        return ""
    }

    /// The `error_message` of a call, built when `kept` (a failed call: error groups read it)
    /// whatever `keepsUnfoldedText` says.
    @inline(__always)
    private func errorMessage(kept: Bool) throws(FieldFault) -> String? {
        kept ? try string(.errorMessage) : try unfoldedString(.errorMessage)
    }

    /// `process_id`: a string or (1.1) an integer, kept as its decimal text.
    private func processID() throws(FieldFault) -> String? {
        guard let span = self[.processID] else { return nil }
        switch span.kind {
        case .string: return try unfoldedString(.processID)
        case .integer: return keepsUnfoldedText ? text(span) : ""
        default: throw .wrongType(.processID, expected: "a string or an integer", got: span.kind)
        }
    }

    /// `event_id` (1–128 bytes after unescaping), hashed in place without building a `String`.
    private func eventIdentifier() throws(FieldFault) -> EventID? {
        guard let span = self[.eventID] else { return nil }
        guard span.kind == .string else { throw .wrongType(.eventID, expected: "a string", got: span.kind) }
        let length = span.unescapedCount
        guard (1...128).contains(length) else { throw Self.lengthFault(.eventID, length, 1...128) }
        let body = base + span.start + 1
        if span.shrink == 0 {
            return EventID(utf8: UnsafeBufferPointer(start: body, count: length))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
            _ = UTF8Text.unescape(body, count: span.end - span.start - 2, into: buffer.baseAddress!)
            return EventID(utf8: UnsafeBufferPointer(buffer))
        }
    }

    /// A JSON integer ≥ `minimum` that fits in an `Int64`.
    private func count(_ key: FieldKey, minimum: Int64 = 0) throws(FieldFault) -> Int64? {
        guard let span = self[key] else { return nil }
        guard span.kind == .integer else { throw .wrongType(key, expected: "an integer", got: span.kind) }
        guard case .value(let value) = DecimalNumber.integer(base + span.start, count: span.end - span.start) else {
            throw .outOfRange(key, "\(key.name) \(text(span)) does not fit in 64 bits")
        }
        guard value >= minimum else { throw .outOfRange(key, "\(key.name) \(value) is below \(minimum)") }
        return value
    }

    private func costNanos() throws(FieldFault) -> Int64? {
        guard let span = self[.costUSD] else { return nil }
        guard span.kind == .integer || span.kind == .number else {
            throw .wrongType(.costUSD, expected: "a number", got: span.kind)
        }
        switch DecimalNumber.nanos(base + span.start, count: span.end - span.start) {
        case .nanos(let nanos): return nanos
        case .negative: throw .outOfRange(.costUSD, "cost_usd \(text(span)) is below 0")
        case .overflow: throw .outOfRange(.costUSD, "cost_usd \(text(span)) is too large")
        }
    }

    /// A number in 1...5, compared after conversion to the nearest `Double`.
    private func rating() throws(FieldFault) -> Double? {
        guard let span = self[.rating] else { return nil }
        guard span.kind == .integer || span.kind == .number else {
            throw .wrongType(.rating, expected: "a number", got: span.kind)
        }
        let text = Substring(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start),
                             as: UTF8.self)
        guard let rating = Double(text), rating >= 1, rating <= 5 else {
            throw .outOfRange(.rating, "rating \(text) is outside 1 to 5")
        }
        return rating
    }

    private func enumeration<Value>(
        _ key: FieldKey, _ names: [(name: StaticString, value: Value)]
    ) throws(FieldFault) -> Value? {
        guard let span = self[key] else { return nil }
        guard span.kind == .string else { throw .wrongType(key, expected: "a string", got: span.kind) }
        let value = withText(span) { text, count in
            names.first { $0.name.utf8CodeUnitCount == count && bytesEqual(text, $0.name.utf8Start, count: count) }?.value
        }
        guard let value else { throw .badEnum(key, text(span), expected: Names.list(names)) }
        return value
    }

    /// Calls `body` with a string field's unescaped UTF-8 bytes.
    @inline(__always)
    private func withText<Result>(
        _ span: ValueSpan, _ body: (UnsafePointer<UInt8>, Int) -> Result
    ) -> Result {
        let body_ = base + span.start + 1
        let count = span.end - span.start - 2
        if span.shrink == 0 { return body(body_, count) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            let written = UTF8Text.unescape(body_, count: count, into: buffer.baseAddress!)
            return body(buffer.baseAddress!, written)
        }
    }

    /// A value's JSON text as written, for a detail: at most 64 bytes, cut at a character boundary.
    func text(_ span: ValueSpan) -> String {
        var count = span.end - span.start
        guard count > 64 else { return String(decoding: UnsafeBufferPointer(start: base + span.start, count: count), as: UTF8.self) }
        count = 64
        while count > 0, base[span.start + count] & 0xC0 == 0x80 { count -= 1 }
        return String(decoding: UnsafeBufferPointer(start: base + span.start, count: count), as: UTF8.self) + "…"
    }

    private static func lengthFault(_ key: FieldKey, _ length: Int, _ limits: ClosedRange<Int>) -> FieldFault {
        .outOfRange(key, "\(key.name) is \(length) bytes; expected \(limits.lowerBound) to \(limits.upperBound)")
    }

    /// A part of a total (`cached_input_tokens` of `input_tokens`, `reasoning_tokens` of `output_tokens`):
    /// not without the total, never above it.
    private static func check(_ key: FieldKey, _ part: Int64?, within totalKey: FieldKey, _ total: Int64?) throws(FieldFault) {
        guard let part else { return }
        guard let total else { throw .outOfRange(key, "\(key.name) without \(totalKey.name)") }
        if part > total { throw .outOfRange(key, "\(key.name) \(part) is above \(totalKey.name) \(total)") }
    }

    /// `cache_write_input_tokens`: not without `input_tokens`, and with the cached tokens not above it.
    private static func check(cacheWrite: Int64?, cached: Int64?, input: Int64?) throws(FieldFault) {
        guard let cacheWrite else { return }
        guard let input else { throw .outOfRange(.cacheWriteInputTokens, "cache_write_input_tokens without input_tokens") }
        let (sum, overflow) = cacheWrite.addingReportingOverflow(cached ?? 0)
        guard overflow || sum > input else { return }
        let detail = cached.map { "cached_input_tokens \($0) + cache_write_input_tokens \(cacheWrite) is above input_tokens \(input)" }
            ?? "cache_write_input_tokens \(cacheWrite) is above input_tokens \(input)"
        throw .outOfRange(.cacheWriteInputTokens, detail)
    }

    private static func kind(named text: UnsafePointer<UInt8>, count: Int) -> Event.Kind? {
        Names.kind.first { $0.name.utf8CodeUnitCount == count && bytesEqual(text, $0.name.utf8Start, count: count) }?
            .value
    }
}
