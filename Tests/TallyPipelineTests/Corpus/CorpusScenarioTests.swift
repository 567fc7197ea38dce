import Foundation
import Testing
import TallyCorpus

/// A 20 000-event corpus holds every scenario the fold and the queries must handle.
@Suite struct CorpusScenarioTests {
    struct Findings {
        var types: Set<String> = []
        var endStatuses: Set<String> = []
        var failedWithMessage = false
        var duplicateIDsWithIdenticalLines = 0
        var duplicateIDsWithDifferentLines = 0
        var offsetTimestamps = 0
        var epochTimestamps = 0
        var logsWithSession = 0
        var logsWithoutSession = 0
        var models: Set<String> = []
        var modelsWithCost: Set<String> = []
        var modelsWithoutCost: Set<String> = []
        var tools: Set<String> = []
        var cachedInput = 0
        var reasoning = 0
        var contextLevels: Set<Int> = []
        var slowTools = 0
        var slowResponses = 0
        var maxAccessBurst = 0
        var sessionsWithoutEnd = 0
        var roles: Set<String> = []
        var outOfOrderLines = 0
    }

    static let findings: Findings = {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: 20_251_023, events: 20_000))
        var findings = Findings()
        var linesByEventID: [String: [ArraySlice<UInt8>]] = [:]
        var sessionsStarted: Set<String> = []
        var sessionsEnded: Set<String> = []
        var pendingUser: [String: Int64] = [:]
        var lastRole: [String: String] = [:]
        var burstCounts: [String: Int] = [:]
        var latest: Int64 = 0
        for line in CorpusGeneratorTests.lines(bytes) {
            let object = CorpusGeneratorTests.object(line)
            let type = object["type"] as! String
            findings.types.insert(type)
            let ts: Int64
            if let text = object["ts"] as? String {
                if !text.hasSuffix("Z") { findings.offsetTimestamps += 1 }
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)!
                ts = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            } else {
                findings.epochTimestamps += 1
                ts = (object["ts"] as! NSNumber).int64Value
            }
            if ts < latest - 1_000 { findings.outOfOrderLines += 1 }
            latest = max(latest, ts)
            if let id = object["event_id"] as? String { linesByEventID[id, default: []].append(line) }
            let session = object["session_id"] as? String
            switch type {
            case "session_start":
                sessionsStarted.insert(session!)
            case "session_end":
                sessionsEnded.insert(session!)
                let status = object["status"] as! String
                findings.endStatuses.insert(status)
                if status == "failed", object["error_message"] is String { findings.failedWithMessage = true }
            case "log":
                if session == nil { findings.logsWithoutSession += 1 } else { findings.logsWithSession += 1 }
            case "llm_call":
                let model = object["model"] as! String
                findings.models.insert(model)
                if object["cost_usd"] != nil { findings.modelsWithCost.insert(model) } else { findings.modelsWithoutCost.insert(model) }
                if object["cached_input_tokens"] != nil { findings.cachedInput += 1 }
                if object["reasoning_tokens"] != nil { findings.reasoning += 1 }
                if let input = (object["input_tokens"] as? NSNumber)?.int64Value,
                   let window = (object["context_window"] as? NSNumber)?.int64Value {
                    for level in [80, 90, 95] where input * 100 >= window * Int64(level) { findings.contextLevels.insert(level) }
                }
            case "tool_call":
                findings.tools.insert(object["tool_name"] as! String)
                if let ms = (object["execution_time_ms"] as? NSNumber)?.int64Value, ms > 30_000 { findings.slowTools += 1 }
            case "message":
                let role = object["role"] as! String
                findings.roles.insert(role)
                if role == "user" { pendingUser[session!] = ts }
                if role == "assistant", lastRole[session!] == "user", let asked = pendingUser[session!], ts - asked > 30_000 {
                    findings.slowResponses += 1
                }
                lastRole[session!] = role
            case "access":
                let outcome = object["outcome"] as! String
                if outcome != "allowed", let user = object["user_id"] as? String {
                    let key = "\(user)@\(ts / 3_600_000)"
                    burstCounts[key, default: 0] += 1
                }
            default:
                break
            }
            if type != "message", let session { if lastRole[session] == nil { lastRole[session] = "" } }
        }
        for copies in linesByEventID.values where copies.count > 1 {
            if Set(copies.map { Array($0) }).count == 1 {
                findings.duplicateIDsWithIdenticalLines += 1
            } else {
                findings.duplicateIDsWithDifferentLines += 1
            }
        }
        findings.maxAccessBurst = burstCounts.values.max() ?? 0
        findings.sessionsWithoutEnd = sessionsStarted.subtracting(sessionsEnded).count
        return findings
    }()

    @Test func everyTypeAppears() {
        #expect(Self.findings.types == ["session_start", "session_end", "message", "llm_call", "tool_call", "log", "feedback", "access"])
        #expect(Self.findings.roles == ["user", "assistant", "system", "tool"])
    }

    @Test func everyEndStatusAppearsAndSomeSessionsNeverEnd() {
        #expect(Self.findings.endStatuses == ["completed", "failed", "cancelled", "timeout"])
        #expect(Self.findings.failedWithMessage)
        #expect(Self.findings.sessionsWithoutEnd > 0)
    }

    @Test func retriesResendIdenticalLines() {
        #expect(Self.findings.duplicateIDsWithIdenticalLines > 0)
        #expect(Self.findings.duplicateIDsWithDifferentLines == 0)
    }

    @Test func timestampsComeInEveryForm() {
        #expect(Self.findings.offsetTimestamps > 0)
        #expect(Self.findings.epochTimestamps > 0)
        #expect(Self.findings.outOfOrderLines > 0)
    }

    @Test func logsComeWithAndWithoutSession() {
        #expect(Self.findings.logsWithSession > 0)
        #expect(Self.findings.logsWithoutSession > 0)
    }

    @Test func modelsArePricedByProducerByTableOrNotAtAll() {
        #expect(Self.findings.models == ["claude-3-5-haiku-20241022", "claude-sonnet-4-5", "gpt-4o-mini", "gpt-4.1", "o4-mini", "llama-3.1-70b-local"])
        #expect(Self.findings.modelsWithCost.isSuperset(of: ["claude-sonnet-4-5", "gpt-4o-mini", "o4-mini"]))
        #expect(!Self.findings.modelsWithCost.contains("claude-3-5-haiku-20241022"))
        #expect(!Self.findings.modelsWithCost.contains("llama-3.1-70b-local"))
        #expect(Self.findings.cachedInput > 0)
        #expect(Self.findings.reasoning > 0)
    }

    @Test func everyToolIsCalled() {
        #expect(Self.findings.tools == [
            "get_session_metrics", "get_token_usage", "search_messages", "list_active_sessions",
            "analyze_engagement", "get_system_health", "analyze_costs",
        ])
    }

    @Test func alertConditionsOccur() {
        #expect(Self.findings.contextLevels == [80, 90, 95])
        #expect(Self.findings.slowTools > 0)
        #expect(Self.findings.slowResponses > 0)
        #expect(Self.findings.maxAccessBurst > 5)
    }
}

@Suite struct CorpusTimeSpanTests {
    /// With 4 sessions in flight, 20 000 events span days: sessions left open go quiet for more
    /// than the default 24 h inactivity timeout, and some sessions resume the next day.
    @Test func fewConcurrentSessionsSpanDaysWithQuietAndLongSessions() {
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: 77, events: 20_000, concurrency: 4))
        var first: [String: Int64] = [:]
        var last: [String: Int64] = [:]
        var ended: Set<String> = []
        var watermark: Int64 = 0
        for line in CorpusGeneratorTests.lines(bytes) {
            let object = CorpusGeneratorTests.object(line)
            guard let session = object["session_id"] as? String else { continue }
            let ts: Int64
            if let text = object["ts"] as? String {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)!
                ts = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            } else {
                ts = (object["ts"] as! NSNumber).int64Value
            }
            first[session] = min(first[session] ?? .max, ts)
            last[session] = max(last[session] ?? .min, ts)
            watermark = max(watermark, ts)
            if object["type"] as? String == "session_end" { ended.insert(session) }
        }
        let day: Int64 = 86_400_000
        let quiet = last.filter { !ended.contains($0.key) && watermark - $0.value > day }
        let long = last.filter { $0.value - first[$0.key]! > day }
        #expect(watermark - 1_761_177_600_000 > 2 * day)
        #expect(!quiet.isEmpty)
        #expect(!long.isEmpty)
    }
}
