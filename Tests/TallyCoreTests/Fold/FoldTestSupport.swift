@testable import TallyCore
import TallyCorpus

/// 2025-10-23T14:00:00Z, on a minute and an hour boundary.
let t0: Int64 = 1_761_228_000_000
let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

func context(user: String? = nil, org: String? = nil, project: String? = nil, conversation: String? = nil, persona: String? = nil) -> SessionContext {
    SessionContext(conversationID: conversation, userID: user, orgID: org, projectID: project, personaID: persona)
}

func sessionStart(_ session: String, _ ts: Int64, _ context: SessionContext = SessionContext(), id: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, eventID: id.map { EventID($0) }, context: context, payload: .sessionStart)
}

func sessionEnd(_ session: String, _ ts: Int64, _ status: Event.EndStatus, error: String? = nil, id: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, eventID: id.map { EventID($0) }, payload: .sessionEnd(.init(status: status, errorMessage: error)))
}

func message(_ session: String, _ ts: Int64, _ role: Event.Role, _ context: SessionContext = SessionContext(), id: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, eventID: id.map { EventID($0) }, context: context, payload: .message(.init(role: role)))
}

func llmCall(_ session: String, _ ts: Int64, _ call: Event.LLMCall, _ context: SessionContext = SessionContext(), id: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, eventID: id.map { EventID($0) }, context: context, payload: .llmCall(call))
}

func toolCall(
    _ session: String, _ ts: Int64, _ name: String, _ status: Event.CallStatus = .success, ms: Int64? = nil,
    _ context: SessionContext = SessionContext(), id: String? = nil
) -> Event {
    Event(timestamp: ts, sessionID: session, eventID: id.map { EventID($0) }, context: context,
          payload: .toolCall(.init(toolName: name, status: status, executionTimeMs: ms)))
}

func access(_ session: String, _ ts: Int64, _ outcome: Event.AccessOutcome, user: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, context: context(user: user), payload: .access(.init(outcome: outcome)))
}

func logLine(_ ts: Int64, session: String? = nil) -> Event {
    Event(timestamp: ts, sessionID: session, payload: .log(.init(level: .info, message: "hello")))
}

extension FoldSettings {
    /// The defaults, but with every event vouching for the watermark alone (quorum 1: the largest
    /// `ts` folded), as the hand-written scenarios of a few events expect.
    static var fewEvents: FoldSettings {
        var settings = FoldSettings()
        settings.watermarkQuorum = 1
        return settings
    }
}

func folded(_ events: [Event], settings: FoldSettings = .fewEvents) -> FoldState {
    var state = FoldState(settings: settings)
    for event in events { state.fold(event) }
    return state
}

/// Every view of a state, for comparing two states.
struct AllViews: Equatable {
    var summary: SummaryView
    var sessions: [SessionRow]
    var tools: [ToolView]
    var models: [ModelView]
    var users: [RollupView]
    var orgs: [RollupView]
    var projects: [RollupView]
    var personas: [RollupView]
    var timeline: [TimelineBucket]
    var alerts: [AlertView]
    var errors: [ErrorGroupView]

    init(_ state: FoldState) {
        summary = state.summary()
        sessions = state.sessionRows().sorted { $0.sessionID < $1.sessionID }
        tools = state.tools()
        models = state.models()
        users = state.rollups(by: .user)
        orgs = state.rollups(by: .org)
        projects = state.rollups(by: .project)
        personas = state.rollups(by: .persona)
        timeline = state.timeline()
        alerts = state.alerts()
        errors = state.errorGroupViews()
    }
}

