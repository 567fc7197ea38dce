import Testing
@testable import TallyCore

@Suite struct AlertTests {
    @Test func contextWindowWarnsAtTheHighestLevelReached() {
        let inputs: [Int64] = [79_999, 80_000, 89_999, 90_000, 94_999, 95_000, 100_000]
        let state = folded(inputs.enumerated().map { index, input in
            llmCall("s", t0 + Int64(index), .init(model: "m", inputTokens: input, contextWindow: 100_000))
        })
        let alerts = state.alerts()
        #expect(alerts.map(\.kind) == Array(repeating: .contextWindow, count: 6))
        #expect(alerts.map(\.timestamp) == (1...6).map { t0 + Int64($0) })
        #expect(alerts.map(\.threshold) == [0.80, 0.80, 0.90, 0.90, 0.95, 0.95])
        #expect(alerts.map(\.value) == [0.8, 0.89999, 0.9, 0.94999, 0.95, 1.0])
        #expect(alerts[0].detail == "m call used 80000 of 100000 context tokens (over 80 %)")
        #expect(alerts.allSatisfy { $0.sessionID == "s" })
    }

    @Test func slowToolAndSlowResponseAreOverTheirThresholds() {
        var settings = FoldSettings.fewEvents
        settings.slowToolMs = 30_000
        settings.slowResponseMs = 30_000
        let state = folded([
            sessionStart("s", t0, context(user: "u1")),
            toolCall("s", t0 + 1, "search_messages", ms: 45_200),
            toolCall("s", t0 + 2, "exact", ms: 30_000),
            toolCall("s", t0 + 3, "other_user", ms: 30_001, context(user: "u9")),
            message("s", t0 + 10_000, .user),
            message("s", t0 + 40_000, .assistant),  // exactly 30 s: not over
            message("s", t0 + 50_000, .user),
            message("s", t0 + 80_001, .assistant),
        ], settings: settings)
        let alerts = state.alerts()
        #expect(alerts == [
            AlertView(kind: .slowTool, sessionID: "s", userID: "u1", timestamp: t0 + 1, value: 45_200, threshold: 30_000,
                      detail: "tool search_messages took 45200 ms"),
            AlertView(kind: .slowTool, sessionID: "s", userID: "u9", timestamp: t0 + 3, value: 30_001, threshold: 30_000,
                      detail: "tool other_user took 30001 ms"),
            AlertView(kind: .slowResponse, sessionID: "s", userID: "u1", timestamp: t0 + 80_001, value: 30_001,
                      threshold: 30_000, detail: "assistant responded after 30001 ms"),
        ])
    }

    @Test func longSessionIsOverTheMaximumDuration() {
        let day: Int64 = 86_400_000
        let state = folded([
            sessionStart("exact", t0), sessionEnd("exact", t0 + day, .completed),
            sessionStart("long", t0 + 5), sessionEnd("long", t0 + 5 + day + 1, .completed),
        ])
        #expect(state.alerts() == [
            AlertView(kind: .longSession, sessionID: "long", userID: nil, timestamp: t0 + 5, value: Double(day + 1),
                      threshold: Double(day), detail: "session lasted 86400001 ms"),
        ])
    }

    @Test func accessBurstNeedsMoreThanTheLimitInOneHourBucket() {
        // u1: 5 denied/rate-limited in the hour (plus allowed ones) → no alert.
        // u2: 3 with its own user_id and 3 in a session whose user is u2 → 6 → alert.
        // u3: 3 + 3 in two different hour buckets → no alert.
        var events: [Event] = [sessionStart("s2", t0, context(user: "u2"))]
        for index in 0..<5 { events.append(access("s1", t0 + Int64(index) * minute, index % 2 == 0 ? .denied : .rateLimited, user: "u1")) }
        events.append(access("s1", t0 + 10 * minute, .allowed, user: "u1"))
        events.append(access("s1", t0 + 11 * minute, .allowed, user: "u1"))
        for index in 0..<3 { events.append(access("s2", t0 + 20 * minute + Int64(index), .denied, user: "u2")) }
        for index in 0..<3 { events.append(access("s2", t0 + 30 * minute + Int64(index), .rateLimited)) }
        for index in 0..<3 { events.append(access("s3", t0 + 50 * minute + Int64(index), .denied, user: "u3")) }
        for index in 0..<3 { events.append(access("s3", t0 + 70 * minute + Int64(index), .denied, user: "u3")) }
        let state = folded(events)
        #expect(state.alerts() == [
            AlertView(kind: .accessBurst, sessionID: nil, userID: "u2", timestamp: t0, value: 6, threshold: 5,
                      detail: "user u2 had 6 denied or rate-limited access events in one hour"),
        ])
        // A sixth event for u1 in the same hour bucket makes it a burst.
        var more = state
        more.fold(access("s1", t0 + 59 * minute, .denied, user: "u1"))
        #expect(more.alerts().map(\.userID) == ["u1", "u2"])
        #expect(more.alerts().first?.value == 6)
    }
}
