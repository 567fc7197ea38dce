/// One valid event of the Tally event contract (shared/spec/events.md), decoded.
///
/// Only what the fold needs is kept: message `content` becomes its UTF-8 length,
/// `result` its size, `parameters` and `metadata` are dropped.
///
/// ```swift
/// let event = Event(kind: .message, timestamp: 1_761_229_800_123, sessionID: "s1",
///                   payload: .message(Message(role: .user)))
/// ```
public struct Event: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        case sessionStart, sessionEnd, message, llmCall, toolCall, log, feedback, access

        /// The contract's `type` string.
        public var name: String {
            switch self {
            case .sessionStart: "session_start"
            case .sessionEnd: "session_end"
            case .message: "message"
            case .llmCall: "llm_call"
            case .toolCall: "tool_call"
            case .log: "log"
            case .feedback: "feedback"
            case .access: "access"
            }
        }
    }

    /// Event time in epoch milliseconds (RFC 3339 or integer input, truncated to ms).
    public var timestamp: Int64
    /// Absent only on `log` events.
    public var sessionID: String?
    /// `event_id`, as the fingerprint the dedup window compares.
    public var eventID: EventID?
    // `payload` is stored before `context` so that the implicit memberwise initializer
    // (`init(timestamp:sessionID:eventID:payload:context:)`, which the decoder uses) differs from
    // the public one below: it moves its arguments into the event, where a written initializer
    // copies the event once more (a retain and a release of each of its texts, about 5 % of a
    // replay's instructions).
    public var payload: Payload
    public var context: SessionContext

    public var kind: Kind {
        switch payload {
        case .sessionStart: .sessionStart
        case .sessionEnd: .sessionEnd
        case .message: .message
        case .llmCall: .llmCall
        case .toolCall: .toolCall
        case .log: .log
        case .feedback: .feedback
        case .access: .access
        }
    }

}

extension Event {
    public init(
        timestamp: Int64, sessionID: String?, eventID: EventID? = nil,
        context: SessionContext = SessionContext(), payload: Payload
    ) {
        self.timestamp = timestamp
        self.sessionID = sessionID
        self.eventID = eventID
        self.context = context
        self.payload = payload
    }
}

/// Context fields; the first value seen for a session (by earliest `ts`) is the session's.
public struct SessionContext: Sendable, Hashable {
    public var conversationID: String?
    public var userID: String?
    public var orgID: String?
    public var projectID: String?
    public var personaID: String?

    public init(
        conversationID: String? = nil, userID: String? = nil, orgID: String? = nil,
        projectID: String? = nil, personaID: String? = nil
    ) {
        self.conversationID = conversationID
        self.userID = userID
        self.orgID = orgID
        self.projectID = projectID
        self.personaID = personaID
    }
}

extension Event {
    public enum Payload: Sendable, Hashable {
        case sessionStart
        case sessionEnd(SessionEnd)
        case message(Message)
        case llmCall(LLMCall)
        case toolCall(ToolCall)
        case log(Log)
        case feedback(Feedback)
        case access(Access)
    }

    public enum EndStatus: UInt8, Sendable, Hashable, CaseIterable, Codable {
        case completed, failed, cancelled, timeout
        /// The status this end gives its session.
        public var sessionStatus: SessionStatus { SessionStatus(self) }
    }

    /// Status of an `llm_call` or `tool_call`.
    public enum CallStatus: UInt8, Sendable, Hashable, CaseIterable {
        case success, error, timeout
    }

    public enum Role: UInt8, Sendable, Hashable, CaseIterable {
        case user, assistant, system, tool
    }

    public struct SessionEnd: Sendable, Hashable {
        public var status: EndStatus
        public var errorMessage: String?
        public init(status: EndStatus, errorMessage: String? = nil) {
            self.status = status
            self.errorMessage = errorMessage
        }
    }

    public struct Message: Sendable, Hashable {
        public var role: Role
        public var turn: Int64?
        public var messageID: String?
        /// UTF-8 byte length of `content`, when present.
        public var contentBytes: Int64?
        public init(role: Role, turn: Int64? = nil, messageID: String? = nil, contentBytes: Int64? = nil) {
            self.role = role
            self.turn = turn
            self.messageID = messageID
            self.contentBytes = contentBytes
        }
    }

    public struct LLMCall: Sendable, Hashable {
        public var model: String
        public var provider: String?
        public var inputTokens: Int64?
        public var outputTokens: Int64?
        public var cachedInputTokens: Int64?
        public var reasoningTokens: Int64?
        /// Prompt tokens written to the provider's prompt cache (part of `inputTokens`, 1.1).
        public var cacheWriteInputTokens: Int64?
        /// `cost_usd` converted exactly to nano-dollars (rounded half-even past 9 decimals).
        public var costNanos: Int64?
        public var latencyMs: Int64?
        public var ttftMs: Int64?
        public var status: CallStatus
        public var errorMessage: String?
        public var contextWindow: Int64?
        public var turn: Int64?
        public init(
            model: String, provider: String? = nil, inputTokens: Int64? = nil, outputTokens: Int64? = nil,
            cachedInputTokens: Int64? = nil, reasoningTokens: Int64? = nil, cacheWriteInputTokens: Int64? = nil,
            costNanos: Int64? = nil,
            latencyMs: Int64? = nil, ttftMs: Int64? = nil, status: CallStatus = .success,
            errorMessage: String? = nil, contextWindow: Int64? = nil, turn: Int64? = nil
        ) {
            self.model = model
            self.provider = provider
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cachedInputTokens = cachedInputTokens
            self.reasoningTokens = reasoningTokens
            self.cacheWriteInputTokens = cacheWriteInputTokens
            self.costNanos = costNanos
            self.latencyMs = latencyMs
            self.ttftMs = ttftMs
            self.status = status
            self.errorMessage = errorMessage
            self.contextWindow = contextWindow
            self.turn = turn
        }
    }

    public struct ToolCall: Sendable, Hashable {
        public var toolName: String
        public var status: CallStatus
        public var executionTimeMs: Int64?
        public var toolCallID: String?
        /// Size in bytes of the JSON text of `result`, when present.
        public var resultBytes: Int64?
        public var errorMessage: String?
        public var turn: Int64?
        public init(
            toolName: String, status: CallStatus, executionTimeMs: Int64? = nil, toolCallID: String? = nil,
            resultBytes: Int64? = nil, errorMessage: String? = nil, turn: Int64? = nil
        ) {
            self.toolName = toolName
            self.status = status
            self.executionTimeMs = executionTimeMs
            self.toolCallID = toolCallID
            self.resultBytes = resultBytes
            self.errorMessage = errorMessage
            self.turn = turn
        }
    }

    public enum LogLevel: UInt8, Sendable, Hashable, CaseIterable { case debug, info, warn, error }

    public struct Log: Sendable, Hashable {
        public var level: LogLevel
        public var message: String
        /// A string, or an integer kept as its decimal text (1.1).
        public var processID: String?
        public init(level: LogLevel, message: String, processID: String? = nil) {
            self.level = level
            self.message = message
            self.processID = processID
        }
    }

    public enum Sentiment: UInt8, Sendable, Hashable, CaseIterable { case positive, neutral, negative }

    public struct Feedback: Sendable, Hashable {
        /// 1...5, as given (may carry a fraction).
        public var rating: Double?
        public var sentiment: Sentiment?
        public var messageID: String?
        public init(rating: Double? = nil, sentiment: Sentiment? = nil, messageID: String? = nil) {
            self.rating = rating
            self.sentiment = sentiment
            self.messageID = messageID
        }
    }

    public enum AccessOutcome: UInt8, Sendable, Hashable, CaseIterable { case allowed, denied, rateLimited }

    public struct Access: Sendable, Hashable {
        public var outcome: AccessOutcome
        public var ipAddress: String?
        public init(outcome: AccessOutcome, ipAddress: String? = nil) {
            self.outcome = outcome
            self.ipAddress = ipAddress
        }
    }
}

/// Why a line was dead-lettered; `rawValue` is the contract's name.
public enum InvalidReason: String, Sendable, Hashable, CaseIterable, Codable {
    case tooLong = "too_long"
    case invalidUTF8 = "invalid_utf8"
    case notJSON = "not_json"
    case notObject = "not_object"
    case missingType = "missing_type"
    case unknownType = "unknown_type"
    case missingField = "missing_field"
    case badTimestamp = "bad_ts"
    case wrongType = "wrong_type"
    case outOfRange = "out_of_range"
    case badEnum = "bad_enum"
}

/// Where and why a line is invalid, as its dead letter records it (events.md, 1.1).
public struct InvalidLine: Sendable, Hashable {
    public var reason: InvalidReason
    /// The JSON key at fault when the reason is about one field, else `nil`.
    public var field: String?
    /// One line: `expected an integer, got a string`.
    public var detail: String

    public init(reason: InvalidReason, field: String? = nil, detail: String) {
        self.reason = reason
        self.field = field
        self.detail = detail
    }
}
