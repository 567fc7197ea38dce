/// The object keys the decoder reads (the union over all event types); any other
/// key is ignored. Matched by length first, then by one distinguishing byte,
/// then by comparing all bytes.
enum FieldKey: Int, CaseIterable {
    case type, ts, sessionID, eventID
    case conversationID, userID, orgID, projectID, personaID
    case metadata, status, errorMessage
    case role, turn, messageID, content
    case model, provider, inputTokens, outputTokens, cachedInputTokens, reasoningTokens, cacheWriteInputTokens
    case costUSD, latencyMs, ttftMs, contextWindow
    case toolName, executionTimeMs, toolCallID, result
    case level, message, processID
    case rating, sentiment, comment
    case outcome, ipAddress

    static let count = allCases.count

    /// The contract's name for the field.
    @inline(__always)
    var name: StaticString {
        switch self {
        case .type: "type"
        case .ts: "ts"
        case .sessionID: "session_id"
        case .eventID: "event_id"
        case .conversationID: "conversation_id"
        case .userID: "user_id"
        case .orgID: "org_id"
        case .projectID: "project_id"
        case .personaID: "persona_id"
        case .metadata: "metadata"
        case .status: "status"
        case .errorMessage: "error_message"
        case .role: "role"
        case .turn: "turn"
        case .messageID: "message_id"
        case .content: "content"
        case .model: "model"
        case .provider: "provider"
        case .inputTokens: "input_tokens"
        case .outputTokens: "output_tokens"
        case .cachedInputTokens: "cached_input_tokens"
        case .reasoningTokens: "reasoning_tokens"
        case .cacheWriteInputTokens: "cache_write_input_tokens"
        case .costUSD: "cost_usd"
        case .latencyMs: "latency_ms"
        case .ttftMs: "ttft_ms"
        case .contextWindow: "context_window"
        case .toolName: "tool_name"
        case .executionTimeMs: "execution_time_ms"
        case .toolCallID: "tool_call_id"
        case .result: "result"
        case .level: "level"
        case .message: "message"
        case .processID: "process_id"
        case .rating: "rating"
        case .sentiment: "sentiment"
        case .comment: "comment"
        case .outcome: "outcome"
        case .ipAddress: "ip_address"
        }
    }

    /// The key whose name is exactly the `count` bytes at `bytes`, if any.
    @inline(__always)
    static func match(_ bytes: UnsafePointer<UInt8>, count: Int) -> FieldKey? {
        let candidate: FieldKey
        switch count {
        case 2: candidate = .ts
        case 4:
            switch bytes[1] {
            case 0x79: candidate = .type  // tYpe
            case 0x75: candidate = .turn  // tUrn
            default: candidate = .role
            }
        case 5: candidate = bytes[0] == 0x6D ? .model : .level
        case 6:
            switch bytes[0] {
            case 0x73: candidate = .status
            case 0x72: candidate = bytes[1] == 0x65 ? .result : .rating
            default: candidate = .orgID
            }
        case 7:
            switch bytes[0] {
            case 0x75: candidate = .userID
            case 0x6D: candidate = .message
            case 0x6F: candidate = .outcome
            case 0x74: candidate = .ttftMs
            default: candidate = bytes[2] == 0x6E ? .content : .comment
            }
        case 8:
            switch bytes[0] {
            case 0x65: candidate = .eventID
            case 0x6D: candidate = .metadata
            case 0x70: candidate = .provider
            default: candidate = .costUSD
            }
        case 9: candidate = bytes[0] == 0x74 ? .toolName : .sentiment
        case 10:
            switch bytes[0] {
            case 0x73: candidate = .sessionID
            case 0x6D: candidate = .messageID
            case 0x6C: candidate = .latencyMs
            case 0x69: candidate = .ipAddress
            default:  // project_id, persona_id, process_id (parameters is ignored)
                switch bytes[3] {
                case 0x6A: candidate = .projectID  // proJect
                case 0x73: candidate = .personaID  // perSona
                default: candidate = .processID
                }
            }
        case 12: candidate = bytes[0] == 0x69 ? .inputTokens : .toolCallID
        case 13: candidate = bytes[0] == 0x6F ? .outputTokens : .errorMessage
        case 14: candidate = .contextWindow
        case 15: candidate = .conversationID
        case 16: candidate = .reasoningTokens
        case 17: candidate = .executionTimeMs
        case 19: candidate = .cachedInputTokens
        case 24: candidate = .cacheWriteInputTokens
        default: return nil
        }
        return bytesEqual(bytes, candidate.name.utf8Start, count: count) ? candidate : nil
    }
}

/// Compares `count` bytes with overlapping word loads (no loop for 4..16 bytes).
@inline(__always)
func bytesEqual(_ left: UnsafePointer<UInt8>, _ right: UnsafePointer<UInt8>, count: Int) -> Bool {
    let lhs = UnsafeRawPointer(left)
    let rhs = UnsafeRawPointer(right)
    if count >= 8 {
        var offset = 0
        while offset &+ 8 < count {
            if lhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != rhs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
            offset &+= 8
        }
        let last = count &- 8
        return lhs.loadUnaligned(fromByteOffset: last, as: UInt64.self)
            == rhs.loadUnaligned(fromByteOffset: last, as: UInt64.self)
    }
    if count >= 4 {
        let last = count &- 4
        return lhs.loadUnaligned(as: UInt32.self) == rhs.loadUnaligned(as: UInt32.self)
            && lhs.loadUnaligned(fromByteOffset: last, as: UInt32.self)
                == rhs.loadUnaligned(fromByteOffset: last, as: UInt32.self)
    }
    for index in 0..<count where left[index] != right[index] { return false }
    return true
}
