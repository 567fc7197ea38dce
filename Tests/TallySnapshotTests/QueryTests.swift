import Foundation
import TallyPosix
import Testing
import TallyCore
@testable import TallySnapshot

/// Queries over the hand-made fixture (see Fixtures.swift for the numbers).
@Suite final class QueryTests {
    let directory: String

    deinit {
        removeTree(directory)
    }

    init() throws {
        directory = temporaryDirectory()
        let deadLetter = FileOperations.join(directory, "dead")
        try FileOperations.createDirectories(deadLetter)
        // The snapshot directory's identity names its dead-letter files.
        let files = try SnapshotWriter.open(directory: directory, keep: 3).writer.deadLetters(in: deadLetter)
        try writeText(
            #"{"source":"seg-2@10","offset":10,"reason":"bad_ts","line":"{\"ts\":\"x\"}"}"# + "\n",
            to: files.path(generation: 1))
        try writeText(
            #"{"source":"seg-1@0","offset":0,"reason":"not_json","line":"hello, world"}"# + "\n\n"
                + #"{"source":"seg-1@13","offset":13,"reason":"not_json","line":"x"}"# + "\n" + #"{"source":"torn"#,
            to: files.path(generation: 0))
        // Not this snapshot's: another consumer's dead letters, and other NDJSON files.
        let foreign = #"{"source":"foreign","offset":0,"reason":"not_json","line":"secret"}"# + "\n"
        try writeText(foreign, to: FileOperations.join(deadLetter, "dead-letter-0123456789abcdef-000000000001.ndjson"))
        try writeText(foreign, to: FileOperations.join(deadLetter, "b.ndjson"))
        try writeText("ignored\n", to: FileOperations.join(deadLetter, "notes.txt"))
        try Fixture.write(to: directory, deadLetter: "dead")
    }

    /// This snapshot directory's dead-letter files in `dead/`.
    var deadLetterFiles: SnapshotDirectory.DeadLetters {
        get throws {
            let identity = String(decoding: try FileOperations.readFile(FileOperations.join(directory, "directory.id"), maxBytes: 1 << 30).dropLast(), as: UTF8.self)
            return SnapshotDirectory.DeadLetters(directory: FileOperations.join(directory, "dead"), identity: identity)
        }
    }

    @Test func summaryIsTheManifestSummary() throws {
        let expected = #"{"events":20,"duplicates":1,"invalid":{"bad_ts":1,"not_json":2},"#
            + #""sessions":{"total":5,"ACTIVE":1,"COMPLETED":1,"FAILED":1,"CANCELLED":1,"TIMEOUT":1},"#
            + #""messages":5,"llm_calls":7,"tool_calls":3,"input_tokens":6010,"output_tokens":220,"#
            + #""cost_usd":2.50012345,"unpriced_llm_calls":1,"watermark":"2025-10-23T16:30:00.000Z","#
            + #""snapshot_at":"2025-10-23T16:31:00.000Z","cached_input_tokens":300,"cache_write_input_tokens":null,"#
            + #""reasoning_tokens":null,"feedback":3,"ratings":2,"avg_rating":4.5,"#
            + #""sentiment":{"positive":1,"neutral":0,"negative":1},"invalid_fields":{"ts":1},"health":{"lag_ms":5}}"# + "\n"
        #expect(try query(directory, .summary) == expected)
        #expect(try query(directory, .summary, format: .ndjson) == expected)
    }

    @Test func summaryAsCSVNestsObjectsAsJSONText() throws {
        let expected = "events,duplicates,invalid,sessions,messages,llm_calls,tool_calls,input_tokens,output_tokens,"
            + "cost_usd,unpriced_llm_calls,watermark,snapshot_at,cached_input_tokens,cache_write_input_tokens,"
            + "reasoning_tokens,feedback,ratings,avg_rating,sentiment,invalid_fields,health\n"
            + #"20,1,"{""bad_ts"":1,""not_json"":2}","{""total"":5,""ACTIVE"":1,""COMPLETED"":1,""FAILED"":1,""CANCELLED"":1,""TIMEOUT"":1}",5,7,3,6010,220,2.50012345,1,2025-10-23T16:30:00.000Z,2025-10-23T16:31:00.000Z,"#
            + #"300,,,3,2,4.5,"{""positive"":1,""neutral"":0,""negative"":1}","{""ts"":1}","{""lag_ms"":5}""#
            + "\n"
        #expect(try query(directory, .summary, format: .csv) == expected)
    }

    @Test func summaryAsTableFlattensNestedCounts() throws {
        let table = try query(directory, .summary, format: .table)
        // Keys are padded to the longest, cache_write_input_tokens.
        #expect(table.contains("invalid.not_json          2\n"))
        #expect(table.contains("sessions.TIMEOUT          1\n"))
        #expect(table.contains("cost_usd                  2.50012345\n"))
        #expect(table.contains("sentiment.negative        1\n"))
        #expect(table.contains("invalid_fields.ts         1\n"))
    }

    static let s4Object = #"{"session_id":"s4","status":"FAILED","started_at":"2025-10-23T15:00:00.000Z","#
        + #""ended_at":"2025-10-23T16:00:00.000Z","last_activity_at":"2025-10-23T16:00:00.000Z","duration_ms":3600000,"#
        + #""conversation_id":null,"user_id":"u3","org_id":null,"project_id":null,"persona_id":null,"messages":0,"#
        + #""user_messages":0,"assistant_messages":0,"llm_calls":1,"llm_errors":0,"input_tokens":10,"output_tokens":20,"#
        + #""cost_usd":0.5,"unpriced_llm_calls":0,"tool_calls":0,"tool_errors":0,"tool_timeouts":0,"#
        + #""avg_response_ms":null,"max_response_ms":null,"last_model":null,"error_message":"boom, \"bad\"\nline2","#
        + #""cached_input_tokens":null,"cache_write_input_tokens":null,"reasoning_tokens":null,"feedback":0,"ratings":0,"#
        + #""avg_rating":null,"positive_feedback":0,"negative_feedback":0,"log_errors":0,"max_context_ratio":null}"#

    @Test func sessionsAsJSONIsAnArrayOfObjects() throws {
        #expect(try query(directory, .sessions, status: .failed) == "[\n" + Self.s4Object + "\n]\n")
        #expect(try query(directory, .sessions, status: .failed, user: "nobody") == "[]\n")
    }

    @Test func sessionsAsNDJSONIsOneObjectALine() throws {
        #expect(try query(directory, .sessions, format: .ndjson, status: .failed) == Self.s4Object + "\n")
        #expect(try query(directory, .sessions, format: .ndjson, user: "nobody") == "")
    }

    @Test func sessionsAsCSVQuotesLikeRFC4180() throws {
        let header = "session_id,status,started_at,ended_at,last_activity_at,duration_ms,conversation_id,user_id,org_id,"
            + "project_id,persona_id,messages,user_messages,assistant_messages,llm_calls,llm_errors,input_tokens,"
            + "output_tokens,cost_usd,unpriced_llm_calls,tool_calls,tool_errors,tool_timeouts,avg_response_ms,"
            + "max_response_ms,last_model,error_message,cached_input_tokens,cache_write_input_tokens,reasoning_tokens,"
            + "feedback,ratings,avg_rating,positive_feedback,negative_feedback,log_errors,max_context_ratio\n"
        let row = "s4,FAILED,2025-10-23T15:00:00.000Z,2025-10-23T16:00:00.000Z,2025-10-23T16:00:00.000Z,3600000,,u3,,,,"
            + "0,0,0,1,0,10,20,0.5,0,0,0,0,,,,\"boom, \"\"bad\"\"\nline2\",,,,0,0,,0,0,0,\n"
        #expect(try query(directory, .sessions, format: .csv, status: .failed) == header + row)
        #expect(try query(directory, .sessions, format: .csv, user: "nobody") == header)
    }

    @Test func sessionsAsTableFitEightyColumns() throws {
        let expected = """
            SESSION_ID  STATUS     STARTED_AT        DURATION  LLM  TOKENS    COST_USD
            s2          ACTIVE     2025-10-23 14:40     1h40m    3    5000           2
            s4          FAILED     2025-10-23 15:00     1h00m    1      30         0.5
            s1          COMPLETED  2025-10-23 14:30     1m00s    2    1200  0.00012345

            """
        #expect(try query(directory, .sessions, format: .table, sort: .cost, limit: 3) == expected)
    }

    @Test func oneSessionCarriesModelsAndTools() throws {
        let expected = #"{"session_id":"s1","status":"COMPLETED","started_at":"2025-10-23T14:30:00.000Z","#
            + #""ended_at":"2025-10-23T14:31:00.000Z","last_activity_at":"2025-10-23T14:31:00.000Z","duration_ms":60000,"#
            + #""conversation_id":"c1","user_id":"u1","org_id":"o1","project_id":"p1","persona_id":"helper","messages":4,"#
            + #""user_messages":2,"assistant_messages":2,"llm_calls":2,"llm_errors":0,"input_tokens":1000,"output_tokens":200,"#
            + #""cost_usd":0.00012345,"unpriced_llm_calls":0,"tool_calls":1,"tool_errors":0,"tool_timeouts":0,"#
            + #""avg_response_ms":1500.5,"max_response_ms":2000,"last_model":"m-a","error_message":null,"#
            + #""cached_input_tokens":400,"cache_write_input_tokens":50,"reasoning_tokens":30,"feedback":3,"ratings":2,"#
            + #""avg_rating":4.5,"positive_feedback":2,"negative_feedback":1,"log_errors":1,"max_context_ratio":0.125,"#
            + #""models":{"m-a":{"calls":2,"input_tokens":1000,"output_tokens":200,"cost_usd":0.00012345}},"#
            + #""tools":{"search":{"calls":1,"errors":0,"timeouts":0}}}"# + "\n"
        #expect(try query(directory, .session("s1")) == expected)
        let table = try query(directory, .session("s1"), format: .table)
        #expect(table.contains("models.m-a.cost_usd       0.00012345\n"))
        #expect(table.contains("tools.search.calls        1\n"))
    }

    @Test func derivedStatusesFollowTheWatermark() throws {
        let s2 = try query(directory, .session("s2"))
        #expect(s2.contains(#""status":"ACTIVE","started_at":"2025-10-23T14:40:00.000Z","ended_at":null,"#))
        #expect(s2.contains(#""duration_ms":6000000,"#))
        let s3 = try query(directory, .session("s3"))
        #expect(s3.contains(#""status":"TIMEOUT","started_at":"2025-10-23T14:35:00.000Z","ended_at":"2025-10-23T14:50:00.000Z","#))
        #expect(s3.contains(#""duration_ms":900000,"#))
    }

    @Test func unknownSessionIsNotFound() throws {
        #expect(throws: SnapshotError(code: .sessionNotFound, message: "no session nope in snapshot \(directory)", path: directory)) {
            try query(directory, .session("nope"))
        }
    }

    @Test func sessionsSortDescendingWithTiesBySessionID() throws {
        #expect(try sessionIDs(directory, sort: .cost) == ["s2", "s4", "s1", "s3", "s5"])
        #expect(try sessionIDs(directory, sort: .tokens) == ["s2", "s1", "s4", "s3", "s5"])
        #expect(try sessionIDs(directory, sort: .duration) == ["s2", "s4", "s3", "s1", "s5"])
        #expect(try sessionIDs(directory, sort: .started) == ["s5", "s4", "s2", "s3", "s1"])
        #expect(try sessionIDs(directory, sort: .lastActivity) == ["s2", "s5", "s4", "s3", "s1"])
        #expect(try sessionIDs(directory) == ["s5", "s4", "s2", "s3", "s1"])
    }

    @Test func sessionsFilterByStatusContextAndStartTime() throws {
        #expect(try sessionIDs(directory, status: .active) == ["s2"])
        #expect(try sessionIDs(directory, status: .timeout) == ["s3"])
        #expect(try sessionIDs(directory, status: .completed) == ["s1"])
        #expect(try sessionIDs(directory, status: .cancelled) == ["s5"])
        #expect(try sessionIDs(directory, user: "u1") == ["s3", "s1"])
        #expect(try sessionIDs(directory, org: "o1") == ["s2", "s1"])
        #expect(try sessionIDs(directory, project: "p2") == ["s2"])
        #expect(try sessionIDs(directory, since: time("2025-10-23T14:35:00Z"), until: time("2025-10-23T15:00:00Z")) == ["s2", "s3"])
        #expect(try sessionIDs(directory, since: t0 + 30 * minute) == ["s5", "s4"])
        #expect(try sessionIDs(directory, user: "u3", sort: .cost) == ["s4", "s5"])
    }

    @Test func sessionsPageWithLimitAndOffset() throws {
        #expect(try sessionIDs(directory, sort: .cost, limit: 2, offset: 1) == ["s4", "s1"])
        #expect(try sessionIDs(directory, sort: .cost, limit: 0, offset: 3) == ["s3", "s5"])
        #expect(try sessionIDs(directory, offset: 9) == [])
    }

    @Test func toolsByCallsWithAllFields() throws {
        let expected = "[\n"
            + #"{"tool_name":"fetch","calls":5,"success":5,"error":0,"timeout":0,"success_rate":1.0,"avg_ms":20.0,"p50_ms":20,"p95_ms":20,"p99_ms":20,"max_ms":20},"#
            + "\n"
            + #"{"tool_name":"search","calls":3,"success":2,"error":1,"timeout":0,"success_rate":0.6666666666666666,"avg_ms":150.5,"p50_ms":120,"p95_ms":300,"p99_ms":300,"max_ms":300}"#
            + "\n]\n"
        #expect(try query(directory, .tools) == expected)
        #expect(try query(directory, .tools, format: .csv, limit: 1) == "tool_name,calls,success,error,timeout,success_rate,avg_ms,p50_ms,p95_ms,p99_ms,max_ms\nfetch,5,5,0,0,1.0,20.0,20,20,20,20\n")
    }

    @Test func modelsByCallsThenName() throws {
        let expected = #"{"model":"m-a","calls":3,"errors":0,"input_tokens":1010,"output_tokens":220,"cost_usd":0.50012345,"avg_latency_ms":812.5,"p50_latency_ms":800,"p95_latency_ms":900,"p99_latency_ms":900,"avg_ttft_ms":120.0,"unpriced_calls":0,"cached_input_tokens":null,"cache_write_input_tokens":null,"reasoning_tokens":null}"#
            + "\n"
            + #"{"model":"m-b","calls":3,"errors":1,"input_tokens":5000,"output_tokens":null,"cost_usd":2,"avg_latency_ms":null,"p50_latency_ms":null,"p95_latency_ms":null,"p99_latency_ms":null,"avg_ttft_ms":null,"unpriced_calls":0,"cached_input_tokens":null,"cache_write_input_tokens":null,"reasoning_tokens":null}"#
            + "\n"
        #expect(try query(directory, .models, format: .ndjson) == expected)
    }

    @Test func usersOrgsAndProjectsByCost() throws {
        let users = """
            KEY  SESSIONS  LLM  TOKENS    COST_USD  TOOL_ERR  SUCCESS
            u2          1    3    5000           2         1    0.000
            u3          2    1      30         0.5         0    0.000
            u1          2    3    1200  0.00012345         0    0.500

            """
        #expect(try query(directory, .rollups(by: .user), format: .table) == users)
        let header = "key,sessions,llm_calls,input_tokens,output_tokens,cost_usd,tool_errors,active,completed,failed,"
            + "cancelled,timeout,success_rate,avg_response_ms,feedback,avg_rating,negative_feedback\n"
        let orgs = header + "o1,2,5,6000,200,2.00012345,1,0,0,0,0,0,0.0,,0,,0\no2,1,1,,,0,0,0,0,0,0,0,0.0,,0,,0\n"
        #expect(try query(directory, .rollups(by: .org), format: .csv) == orgs)
        #expect(try query(directory, .rollups(by: .project), format: .csv, limit: 1) == header + "p2,1,3,5000,,2,1,0,0,0,0,0,0.0,,0,,0\n")
        // 1.1: statuses, success rate, response time and feedback.
        let u1 = #"{"key":"u1","sessions":2,"llm_calls":3,"input_tokens":1000,"output_tokens":200,"cost_usd":0.00012345,"#
            + #""tool_errors":0,"active":1,"completed":1,"failed":0,"cancelled":0,"timeout":0,"success_rate":0.5,"#
            + #""avg_response_ms":1500.0,"feedback":3,"avg_rating":4.5,"negative_feedback":1}"# + "\n"
        #expect(try query(directory, .rollups(by: .user), format: .ndjson, offset: 2) == u1)
    }

    @Test func timelineSumsMinuteBuckets() throws {
        let hourly = "[\n"
            + #"{"bucket_start":"2025-10-23T14:00:00.000Z","sessions_started":1,"sessions_ended":1,"messages":4,"llm_calls":2,"input_tokens":1000,"output_tokens":200,"cost_usd":0.00012345,"tool_calls":1,"tool_errors":0,"llm_errors":0,"feedback":3,"negative_feedback":1},"#
            + "\n"
            + #"{"bucket_start":"2025-10-23T15:00:00.000Z","sessions_started":0,"sessions_ended":0,"messages":0,"llm_calls":1,"input_tokens":null,"output_tokens":null,"cost_usd":2,"tool_calls":0,"tool_errors":1,"llm_errors":1,"feedback":0,"negative_feedback":0}"#
            + "\n]\n"
        #expect(try query(directory, .timeline) == hourly)
        let header = "bucket_start,sessions_started,sessions_ended,messages,llm_calls,input_tokens,output_tokens,cost_usd,tool_calls,tool_errors,llm_errors,feedback,negative_feedback\n"
        #expect(try query(directory, .timeline, format: .csv, bucket: .oneMinute) == header
            + "2025-10-23T14:30:00.000Z,1,0,2,1,500,100,0.0000001,0,0,0,0,0\n"
            + "2025-10-23T14:31:00.000Z,0,1,2,1,500,100,0.00012335,1,0,0,3,1\n"
            + "2025-10-23T15:35:00.000Z,0,0,0,1,,,2,0,1,1,0,0\n")
        #expect(try query(directory, .timeline, format: .csv, bucket: .fiveMinutes) == header
            + "2025-10-23T14:30:00.000Z,1,1,4,2,1000,200,0.00012345,1,0,0,3,1\n"
            + "2025-10-23T15:35:00.000Z,0,0,0,1,,,2,0,1,1,0,0\n")
        #expect(try query(directory, .timeline, format: .csv, bucket: .oneDay) == header
            + "2025-10-23T00:00:00.000Z,1,1,4,3,1000,200,2.00012345,1,1,1,3,1\n")
        #expect(try query(directory, .timeline, format: .csv, since: time("2025-10-23T14:31:00Z"), bucket: .oneDay) == header
            + "2025-10-23T00:00:00.000Z,0,1,2,2,500,100,2.00012335,1,1,1,3,1\n")
    }

    @Test func alertsNewestFirstFilteredByKind() throws {
        let burst = #"{"kind":"access_burst","session_id":null,"user_id":"u9","ts":"2025-10-23T15:40:00.000Z","value":6.0,"threshold":5.0,"detail":"6 denied or rate-limited"}"#
        let slow = #"{"kind":"slow_response","session_id":"s1","user_id":"u1","ts":"2025-10-23T14:30:30.000Z","value":45000.0,"threshold":30000.0,"detail":"response took 45.0 s"}"#
        #expect(try query(directory, .alerts, format: .ndjson) == burst + "\n" + slow + "\n")
        #expect(try query(directory, .alerts, format: .ndjson, kind: .slowResponse) == slow + "\n")
        #expect(try query(directory, .alerts, format: .ndjson, limit: 1) == burst + "\n")
        #expect(try query(directory, .alerts, format: .ndjson, user: "u1") == slow + "\n")
    }

    @Test func invalidReadsTheDeadLetterFilesInNameOrder() throws {
        // Written before 1.1: no field and no detail.
        let expected = "source,offset,reason,field,detail,line\n"
            + "seg-1@0,0,not_json,,,\"hello, world\"\n"
            + "seg-1@13,13,not_json,,,x\n"
            + "seg-2@10,10,bad_ts,,,\"{\"\"ts\"\":\"\"x\"\"}\"\n"
        #expect(try query(directory, .invalid, format: .csv) == expected)
        #expect(try query(directory, .invalid, format: .csv, limit: 1, offset: 1) == "source,offset,reason,field,detail,line\nseg-1@13,13,not_json,,,x\n")
    }

    @Test func invalidFiltersByReasonAndField() throws {
        let file = try deadLetterFiles.path(generation: 1)
        try writeText(
            String(decoding: try FileOperations.readFile(file, maxBytes: 1 << 30), as: UTF8.self) +
            #"{"source":"seg-3","offset":5,"reason":"wrong_type","field":"input_tokens","detail":"expected an integer, got a string","line":"{}"}"#
                + "\n" + #"{"source":"seg-3","offset":9,"reason":"wrong_type","field":"user_id","detail":"expected a string, got an integer","line":"{}"}"#
                + "\n",
            to: file)
        func invalid(_ reason: InvalidReason?, _ field: String?) throws -> String {
            try SnapshotReader(path: directory).output(
                SnapshotQuery(.invalid, invalidReason: reason, invalidField: field), format: .csv)
        }
        let header = "source,offset,reason,field,detail,line\n"
        #expect(try invalid(.badTimestamp, nil) == header + "seg-2@10,10,bad_ts,,,\"{\"\"ts\"\":\"\"x\"\"}\"\n")
        #expect(try invalid(nil, "input_tokens") == header + "seg-3,5,wrong_type,input_tokens,\"expected an integer, got a string\",{}\n")
        #expect(try invalid(.wrongType, "user_id") == header + "seg-3,9,wrong_type,user_id,\"expected a string, got an integer\",{}\n")
        #expect(try invalid(.notJSON, "user_id") == header)
    }

    @Test func errorsAreTheManifestsGroupsLargestFirst() throws {
        let llm = #"{"kind":"llm","name":"model-a","status":"error","message":"rate limit #","count":3,"#
            + #""first_ts":"2025-10-23T14:31:00.000Z","last_ts":"2025-10-23T14:39:00.000Z","session_id":"s1"}"#
        let tool = #"{"kind":"tool","name":"search","status":"timeout","message":null,"count":1,"#
            + #""first_ts":"2025-10-23T14:32:00.000Z","last_ts":"2025-10-23T14:32:00.000Z","session_id":"s2"}"#
        #expect(try query(directory, .errors, format: .ndjson) == llm + "\n" + tool + "\n")
        #expect(try query(directory, .errors, format: .ndjson, limit: 1) == llm + "\n")
        let reader = try SnapshotReader(path: directory)
        #expect(try reader.output(SnapshotQuery(.errors, errorKind: .tool), format: .ndjson) == tool + "\n")
        #expect(try reader.output(SnapshotQuery(.errors, errorKind: .session), format: .ndjson) == "")
        #expect(SnapshotQuery(.alerts, errorKind: .llm).isSet(.errorKind))
        #expect(throws: SnapshotError(code: .badQuery, message: "errorKind does not apply to subject alerts")) {
            try SnapshotQuery(.alerts, errorKind: .llm).validate()
        }
    }

    @Test func invalidSkipsDeadLettersOfGenerationsAfterTheSnapshot() throws {
        let deadLetter = FileOperations.join(directory, "dead")
        for name in try Posix.listDirectory(deadLetter) { try? Posix.remove(FileOperations.join(deadLetter, name)) }
        try writeText(
            #"{"source":"s","offset":1,"reason":"not_json","line":"committed"}"# + "\n",
            to: try deadLetterFiles.path(generation: 1))
        try writeText(
            #"{"source":"s","offset":2,"reason":"not_json","line":"not committed yet"}"# + "\n",
            to: try deadLetterFiles.path(generation: 2))
        #expect(try query(directory, .invalid, format: .csv) == "source,offset,reason,field,detail,line\ns,1,not_json,,,committed\n")
    }

    /// A manifest's `dead_letter` may name any directory: only this snapshot's own dead-letter
    /// files are read there, never any other `*.ndjson` file.
    @Test func invalidReadsNoOtherNDJSONFilesWhereverDeadLetterPoints() throws {
        let elsewhere = FileOperations.join(directory, "elsewhere")
        try FileOperations.createDirectories(elsewhere)
        try writeText(#"{"source":"private","offset":0,"reason":"not_json","line":"secret"}"# + "\n", to: FileOperations.join(elsewhere, "events.ndjson"))
        try writeText(#"{"source":"private","offset":0,"reason":"not_json","line":"secret"}"# + "\n", to: FileOperations.join(elsewhere, "dead-letter-0123456789abcdef-000000000001.ndjson"))
        let manifest = FileOperations.join(directory, "snapshot-000000000001.json")
        let text = String(decoding: try FileOperations.readFile(manifest, maxBytes: 1 << 30), as: UTF8.self)
        try writeText(text.replacingOccurrences(of: #""dead_letter": "dead""#, with: #""dead_letter": "elsewhere""#), to: manifest)
        #expect(try query(directory, .invalid, format: .csv) == "source,offset,reason,field,detail,line\n")
    }

    /// A manifest of an older build (no `dead_letter_id`) counts the files named as that build
    /// named them, `dead-letter-<generation>.ndjson`, up to its generation.
    @Test func invalidOfAnOlderBuildsManifestReadsItsLegacyNames() throws {
        let deadLetter = FileOperations.join(directory, "dead")
        try writeText(#"{"source":"old","offset":1,"reason":"not_json","line":"old"}"# + "\n", to: FileOperations.join(deadLetter, "dead-letter-000000000001.ndjson"))
        try writeText(#"{"source":"old","offset":2,"reason":"not_json","line":"later"}"# + "\n", to: FileOperations.join(deadLetter, "dead-letter-000000000002.ndjson"))
        let manifest = FileOperations.join(directory, "snapshot-000000000001.json")
        let lines = String(decoding: try FileOperations.readFile(manifest, maxBytes: 1 << 30), as: UTF8.self).split(separator: "\n")
        try writeText(lines.filter { !$0.hasPrefix("  \"dead_letter_id\"") }.joined(separator: "\n") + "\n", to: manifest)
        #expect(try query(directory, .invalid, format: .csv) == "source,offset,reason,field,detail,line\nold,1,not_json,,,old\n")
    }

    @Test func badQueriesNameTheField() throws {
        func message(_ query: SnapshotQuery) -> String? {
            do {
                try query.validate()
                return nil
            } catch {
                return error.code == .badQuery ? error.message : "wrong code"
            }
        }
        #expect(message(SnapshotQuery(.session(""))) == "the session id is empty")
        #expect(message(SnapshotQuery(.sessions, limit: -1)) == "limit must be 0 (no limit) or more, not -1")
        #expect(message(SnapshotQuery(.sessions, offset: -2)) == "offset must be 0 or more, not -2")
        #expect(message(SnapshotQuery(.tools, sort: .cost)) == "sort does not apply to subject tools")
        #expect(message(SnapshotQuery(.summary, limit: 3)) == "limit does not apply to subject summary")
        #expect(message(SnapshotQuery(.session("s1"), offset: 0)) == "offset does not apply to subject session")
        #expect(message(SnapshotQuery(.rollups(by: .org), status: .failed)) == "status does not apply to subject rollups")
        #expect(message(SnapshotQuery(.timeline, alertKind: .slowTool)) == "alertKind does not apply to subject timeline")
        #expect(message(SnapshotQuery(.alerts, orgID: "o1", bucket: .oneDay)) == "orgID does not apply to subject alerts")
        #expect(message(SnapshotQuery(.sessions, status: .active, userID: "u", orgID: "o", projectID: "p",
                                      since: 0, until: 1, sort: .cost, limit: 0, offset: 0)) == nil)
        #expect(message(SnapshotQuery(.alerts, userID: "u", since: 0, until: 1, limit: 1, alertKind: .slowTool)) == nil)
        #expect(message(SnapshotQuery(.timeline, since: 0, until: 1, bucket: .oneDay)) == nil)
    }

    @Test func theReaderRunsOnlyValidQueries() throws {
        #expect(throws: SnapshotError(code: .badQuery, message: "bucket does not apply to subject sessions")) {
            try query(directory, .sessions, bucket: .oneDay)
        }
    }

    @Test func everyFieldAppliesToSomeSubject() {
        let subjects: [SnapshotQuery.Subject] = [
            .summary, .sessions, .session("s1"), .tools, .models, .rollups(by: .user), .timeline, .alerts, .invalid,
            .errors,
        ]
        for field in SnapshotQuery.Field.allCases {
            #expect(subjects.contains { field.applies(to: $0) }, "\(field)")
        }
        #expect(SnapshotQuery.Field.allCases.filter { $0.applies(to: .summary) } == [])
        #expect(SnapshotQuery.Field.allCases.filter { $0.applies(to: .tools) } == [.limit, .offset])
    }

    @Test func aDirectoryWithoutSnapshotsIsNotUsable() throws {
        let empty = temporaryDirectory()
        defer { removeTree(empty) }
        #expect(throws: SnapshotError(code: .noUsableSnapshot, message: "no usable snapshot in \(empty)", path: empty)) {
            _ = try SnapshotReader(path: empty)
        }
        let missing = empty + "/nothing"
        #expect(throws: SnapshotError(code: .noUsableSnapshot, message: "no usable snapshot in \(missing): no such file or directory", path: missing)) {
            _ = try SnapshotReader(path: missing)
        }
    }
}

/// Epoch milliseconds of RFC 3339 text.
private func time(_ text: String) -> Int64 {
    Timestamp.parse(text) ?? .min
}
