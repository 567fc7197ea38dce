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
        guard let typeSpan = self[.type] else { throw .missingType }
        guard typeSpan.kind == .string, let kind = withText(typeSpan, Self.kind(named:count:)) else {
            throw .unknownType
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
        return Event(
            timestamp: timestamp, sessionID: sessionID, eventID: eventID, context: context,
            payload: try payload(kind))
    }

    private func payload(_ kind: Event.Kind) throws(FieldFault) -> Event.Payload {
        switch kind {
        case .sessionStart:
            if let metadata = self[.metadata], metadata.kind != .object { throw .wrongType }
            return .sessionStart
        case .sessionEnd:
            return .sessionEnd(Event.SessionEnd(
                status: try required(enumeration(.status, Names.endStatus)),
                errorMessage: try string(.errorMessage)))
        case .message:
            let role = try required(enumeration(.role, Names.role))
            let turn = try count(.turn)
            let messageID = try unfoldedString(.messageID)
            var contentBytes: Int64?
            if let content = self[.content] {
                guard content.kind == .string else { throw .wrongType }
                contentBytes = Int64(content.unescapedCount)
            }
            return .message(Event.Message(role: role, turn: turn, messageID: messageID, contentBytes: contentBytes))
        case .llmCall:
            let model = try requiredString(.model)
            let provider = try unfoldedString(.provider)
            let inputTokens = try count(.inputTokens)
            let outputTokens = try count(.outputTokens)
            let cachedInputTokens = try count(.cachedInputTokens)
            if let cachedInputTokens, cachedInputTokens > inputTokens ?? -1 { throw .outOfRange }
            let reasoningTokens = try count(.reasoningTokens)
            if let reasoningTokens, reasoningTokens > outputTokens ?? -1 { throw .outOfRange }
            return .llmCall(Event.LLMCall(
                model: model, provider: provider, inputTokens: inputTokens, outputTokens: outputTokens,
                cachedInputTokens: cachedInputTokens, reasoningTokens: reasoningTokens,
                costNanos: try costNanos(), latencyMs: try count(.latencyMs), ttftMs: try count(.ttftMs),
                status: try enumeration(.status, Names.callStatus) ?? .success,
                errorMessage: try unfoldedString(.errorMessage), contextWindow: try count(.contextWindow, minimum: 1),
                turn: try count(.turn)))
        case .toolCall:
            let toolName = try requiredString(.toolName)
            let status = try required(enumeration(.status, Names.callStatus))
            let executionTimeMs = try count(.executionTimeMs)
            let toolCallID = try unfoldedString(.toolCallID)
            let resultBytes = self[.result].map { Int64($0.end - $0.start) }
            return .toolCall(Event.ToolCall(
                toolName: toolName, status: status, executionTimeMs: executionTimeMs, toolCallID: toolCallID,
                resultBytes: resultBytes, errorMessage: try unfoldedString(.errorMessage), turn: try count(.turn)))
        case .log:
            return .log(Event.Log(
                level: try required(enumeration(.level, Names.logLevel)),
                message: try required(unfoldedString(.message)),
                processID: try unfoldedString(.processID)))
        case .feedback:
            let rating = try rating()
            let sentiment = try enumeration(.sentiment, Names.sentiment)
            if let comment = self[.comment], comment.kind != .string { throw .wrongType }
            return .feedback(Event.Feedback(rating: rating, sentiment: sentiment, messageID: try unfoldedString(.messageID)))
        case .access:
            return .access(Event.Access(
                outcome: try required(enumeration(.outcome, Names.accessOutcome)),
                ipAddress: try unfoldedString(.ipAddress)))
        }
    }

    // MARK: Field kinds

    private func timestamp() throws(FieldFault) -> Int64 {
        guard let span = self[.ts] else { throw .missingField }
        switch span.kind {
        case .string:
            let parsed = withText(span) { text, count in Timestamp.epochMilliseconds(rfc3339: text, count: count) }
            guard let parsed else { throw .badTimestamp }
            return parsed
        case .integer:
            guard case .value(let milliseconds) = DecimalNumber.integer(base + span.start, count: span.end - span.start),
                  milliseconds >= Timestamp.earliest, milliseconds <= Timestamp.latest
            else { throw .badTimestamp }
            return milliseconds
        case .number:
            throw .badTimestamp  // a number, but not integer milliseconds
        default:
            throw .wrongType
        }
    }

    @inline(__always)
    private func required<Value>(_ value: Value?) throws(FieldFault) -> Value {
        guard let value else { throw .missingField }
        return value
    }

    private func requiredString(_ key: FieldKey, bytes limits: ClosedRange<Int>? = nil) throws(FieldFault) -> String {
        try required(string(key, bytes: limits))
    }

    /// A string field; `limits` bounds its UTF-8 length after unescaping.
    private func string(_ key: FieldKey, bytes limits: ClosedRange<Int>? = nil) throws(FieldFault) -> String? {
        guard let span = self[key] else { return nil }
        guard span.kind == .string else { throw .wrongType }
        let length = span.unescapedCount
        if let limits, !limits.contains(length) { throw .outOfRange }
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
        guard span.kind == .string else { throw .wrongType }
        return ""
    }

    /// `event_id` (1–128 bytes after unescaping), hashed in place without building a `String`.
    private func eventIdentifier() throws(FieldFault) -> EventID? {
        guard let span = self[.eventID] else { return nil }
        guard span.kind == .string else { throw .wrongType }
        let length = span.unescapedCount
        guard (1...128).contains(length) else { throw .outOfRange }
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
        guard span.kind == .integer else { throw .wrongType }
        guard case .value(let value) = DecimalNumber.integer(base + span.start, count: span.end - span.start),
              value >= minimum
        else { throw .outOfRange }
        return value
    }

    private func costNanos() throws(FieldFault) -> Int64? {
        guard let span = self[.costUSD] else { return nil }
        guard span.kind == .integer || span.kind == .number else { throw .wrongType }
        switch DecimalNumber.nanos(base + span.start, count: span.end - span.start) {
        case .nanos(let nanos): return nanos
        case .negative, .overflow: throw .outOfRange
        }
    }

    /// A number in 1...5, compared after conversion to the nearest `Double`.
    private func rating() throws(FieldFault) -> Double? {
        guard let span = self[.rating] else { return nil }
        guard span.kind == .integer || span.kind == .number else { throw .wrongType }
        let text = Substring(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start),
                             as: UTF8.self)
        guard let rating = Double(text), rating >= 1, rating <= 5 else { throw .outOfRange }
        return rating
    }

    private func enumeration<Value>(
        _ key: FieldKey, _ names: [(name: StaticString, value: Value)]
    ) throws(FieldFault) -> Value? {
        guard let span = self[key] else { return nil }
        guard span.kind == .string else { throw .wrongType }
        let value = withText(span) { text, count in
            names.first { $0.name.utf8CodeUnitCount == count && bytesEqual(text, $0.name.utf8Start, count: count) }?.value
        }
        guard let value else { throw .badEnum }
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

    private static func kind(named text: UnsafePointer<UInt8>, count: Int) -> Event.Kind? {
        Names.kind.first { $0.name.utf8CodeUnitCount == count && bytesEqual(text, $0.name.utf8Start, count: count) }?
            .value
    }
}

/// The reason a field check failed, thrown by `FieldReader`.
struct FieldFault: Error {
    let reason: InvalidReason

    static let missingType = FieldFault(reason: .missingType)
    static let unknownType = FieldFault(reason: .unknownType)
    static let missingField = FieldFault(reason: .missingField)
    static let badTimestamp = FieldFault(reason: .badTimestamp)
    static let wrongType = FieldFault(reason: .wrongType)
    static let outOfRange = FieldFault(reason: .outOfRange)
    static let badEnum = FieldFault(reason: .badEnum)
}

/// The contract's spelling of each enumerated value.
enum Names {
    static let kind: [(name: StaticString, value: Event.Kind)] = [
        ("message", .message), ("llm_call", .llmCall), ("tool_call", .toolCall),
        ("session_start", .sessionStart), ("session_end", .sessionEnd),
        ("log", .log), ("feedback", .feedback), ("access", .access),
    ]
    static let endStatus: [(name: StaticString, value: Event.EndStatus)] = [
        ("completed", .completed), ("failed", .failed), ("cancelled", .cancelled), ("timeout", .timeout),
    ]
    static let callStatus: [(name: StaticString, value: Event.CallStatus)] = [
        ("success", .success), ("error", .error), ("timeout", .timeout),
    ]
    static let role: [(name: StaticString, value: Event.Role)] = [
        ("user", .user), ("assistant", .assistant), ("system", .system), ("tool", .tool),
    ]
    static let logLevel: [(name: StaticString, value: Event.LogLevel)] = [
        ("debug", .debug), ("info", .info), ("warn", .warn), ("error", .error),
    ]
    static let sentiment: [(name: StaticString, value: Event.Sentiment)] = [
        ("positive", .positive), ("neutral", .neutral), ("negative", .negative),
    ]
    static let accessOutcome: [(name: StaticString, value: Event.AccessOutcome)] = [
        ("allowed", .allowed), ("denied", .denied), ("rate_limited", .rateLimited),
    ]
}
