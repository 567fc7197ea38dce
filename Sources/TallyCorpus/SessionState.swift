/// One simulated chat session: who it belongs to, how its producer logs, and where it is in
/// its conversation. `CorpusGenerator.step` moves it one event forward.
struct SessionState {
    enum Phase: UInt8 {
        case accessGate, accessBurst, start, systemMessage, userMessage, llmCall, toolCall, toolMessage
        case assistantMessage, feedback, sessionLog, end
    }

    enum Ending: UInt8 { case completed, failed, cancelled, timeout, abandoned }

    enum CallStatus: UInt8 { case success, error, timeout }

    /// What a session-scoped `log` line reports.
    enum LogTopic: UInt8 { case toolFailed, llmRetry, compaction, contextOverflow }

    /// Why a failed session failed.
    enum Failure: UInt8 { case generic, llmErrors, contextOverflow }

    var id: UInt64
    var nextAt: Int64
    var phase = Phase.start
    /// Where to go after a session-scoped `log` line.
    var resumePhase = Phase.start
    var resumeAt: Int64 = 0

    var producer: Int
    var model: Int
    var user: Int
    var project: Int
    var persona: Int
    var conversation: UInt64

    var ending = Ending.completed
    var failure = Failure.generic
    var failureDetail = 0
    var turn = 0
    var plannedTurns = 1
    var toolRoundsLeft = 0
    var toolCallsLeft = 0
    var retries = 0
    var burstLeft = 0
    var continuesAfterBurst = true
    var logsSystemPrompt = false
    /// Pastes documents and gets large tool results: the context window fills up.
    var heavyContext = false
    /// Compacts its context once it reaches 90 % of the window.
    var compacts = false
    var extendedThinking = false

    var contextTokens: Int64 = 0
    var previousInput: Int64 = 0
    var userMessageAt: Int64 = 0
    var lastAssistantMessage: UInt64 = 0
    var serial: UInt64 = 0

    // The call in flight, decided when it is scheduled so `ts` and its durations agree.
    var callStatus = CallStatus.success
    var callLatency: Int64 = 0
    var callTTFT: Int64 = 0
    var callOutput: Int64 = 0
    var callReasoning: Int64 = 0
    var callError = 0
    var tool = 0

    var logTopic = LogTopic.toolFailed
    var logValueA: Int64 = 0
    var logValueB: Int64 = 0
}

/// How one back end writes its events. Several back ends log into the same spool.
struct Producer {
    let timestampStyle: TimestampStyle
    let offsetMinutes: Int
    let eventIDs: Bool
    /// `user_id` on every event (else only on `session_start`, which carries all the context).
    let contextOnEveryEvent: Bool
    let contextWindow: Bool
    let toolMessages: Bool
    let writesSuccessStatus: Bool
    let process: Int
    let weight: Int

    static let all: [Producer] = [
        // web gateway
        Producer(timestampStyle: .utcMillis, offsetMinutes: 0, eventIDs: true, contextOnEveryEvent: true,
                 contextWindow: true, toolMessages: false, writesSuccessStatus: true, process: 0, weight: 50),
        // EU back end, local time
        Producer(timestampStyle: .offsetMillis, offsetMinutes: 120, eventIDs: true, contextOnEveryEvent: false,
                 contextWindow: true, toolMessages: true, writesSuccessStatus: true, process: 1, weight: 10),
        // US back end, local time
        Producer(timestampStyle: .offsetMillis, offsetMinutes: -300, eventIDs: true, contextOnEveryEvent: true,
                 contextWindow: true, toolMessages: false, writesSuccessStatus: false, process: 2, weight: 5),
        // batch exporter
        Producer(timestampStyle: .epochMillis, offsetMinutes: 0, eventIDs: true, contextOnEveryEvent: true,
                 contextWindow: true, toolMessages: false, writesSuccessStatus: true, process: 3, weight: 10),
        // legacy service: whole seconds, no event ids
        Producer(timestampStyle: .utcSeconds, offsetMinutes: 0, eventIDs: false, contextOnEveryEvent: false,
                 contextWindow: false, toolMessages: false, writesSuccessStatus: false, process: 4, weight: 10),
        // Python SDK: microseconds
        Producer(timestampStyle: .utcMicros, offsetMinutes: 0, eventIDs: true, contextOnEveryEvent: true,
                 contextWindow: true, toolMessages: true, writesSuccessStatus: true, process: 5, weight: 15),
    ]
}

/// Cumulative weights for a weighted pick.
struct WeightedChoice {
    private let cumulative: [Int]

    init(_ weights: [Int]) {
        var total = 0
        cumulative = weights.map { total += $0; return total }
    }

    func pick(_ random: inout RandomSource) -> Int {
        let roll = random.below(cumulative[cumulative.count - 1])
        var index = 0
        while cumulative[index] <= roll { index += 1 }
        return index
    }
}

enum Choices {
    static let producer = WeightedChoice(Producer.all.map(\.weight))
    static let model = WeightedChoice(Vocabulary.models.map(\.weight))
    /// get_session_metrics, get_token_usage, search_messages, list_active_sessions,
    /// analyze_engagement, get_system_health, analyze_costs
    static let tool = WeightedChoice([18, 18, 20, 12, 10, 10, 12])
}
