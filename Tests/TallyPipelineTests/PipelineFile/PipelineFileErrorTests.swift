import Foundation
import Testing
@testable import TallyPipeline

@Suite struct PipelineFileErrorTests {
    static let cases: [(yaml: String, description: String)] = [
        ("spool: ./s\nsegment:\n  max_bytes: 64MB\n",
         #"Pipelines/x.yaml:3: segment.max_bytes: "64MB" is not a size (use B, KiB, MiB, GiB)"#),
        ("limits:\n  max_line_bytes: 1048576\n",
         #"Pipelines/x.yaml:2: limits.max_line_bytes: "1048576" is not a size (use B, KiB, MiB, GiB)"#),
        ("segment:\n  max_bytes: 0B\n",
         #"Pipelines/x.yaml:2: segment.max_bytes: "0B" must be more than 0 bytes"#),
        ("spool: ./s\nspool_dir: ./x\n",
         "Pipelines/x.yaml:2: spool_dir: unknown key (expected spool, snapshots, dead_letter, segment, snapshot, limits, sessions, alerts, pricing, retention)"),
        ("snapshot:\n  every: 10s\n  kept: 5\n",
         "Pipelines/x.yaml:3: snapshot.kept: unknown key (expected every, keep)"),
        ("segment: 5\n",
         #"Pipelines/x.yaml:1: segment: expected a mapping of keys, found "5""#),
        ("snapshot:\n  keep: [1, 2]\n",
         "Pipelines/x.yaml:2: snapshot.keep: expected a single value, found a list"),
        ("snapshot:\n  keep: \"5\"\n",
         #"Pipelines/x.yaml:2: snapshot.keep: "5" is a string, expected an integer"#),
        ("snapshot:\n  keep: 2.5\n",
         #"Pipelines/x.yaml:2: snapshot.keep: "2.5" is not an integer"#),
        ("snapshot:\n  keep: 0\n",
         "Pipelines/x.yaml:2: snapshot.keep: 0 is out of range (1 or more)"),
        ("sessions:\n  inactivity_timeout: 24h\n  dedup_window: 1.5h\n",
         #"Pipelines/x.yaml:3: sessions.dedup_window: "1.5h" is not a duration (use ms, s, m, h, d: 500ms, 30s, 1h30m)"#),
        ("sessions:\n  watermark_quorum: 0\n",
         "Pipelines/x.yaml:2: sessions.watermark_quorum: 0 is out of range (1…1024 events)"),
        ("segment:\n  fsync: interval\n  fsync_interval: 0s\n",
         #"Pipelines/x.yaml:3: segment.fsync_interval: "0s" must be longer than 0"#),
        ("segment:\n  fsync: sometimes\n",
         #"Pipelines/x.yaml:2: segment.fsync: "sometimes" is not one of always, interval, never"#),
        ("segment:\n  compression_level: 22\n",
         "Pipelines/x.yaml:2: segment.compression_level: 22 is out of range (zstd levels 1…19)"),
        ("segment:\n  compression_level: 0\n",
         "Pipelines/x.yaml:2: segment.compression_level: 0 is out of range (zstd levels 1…19)"),
        ("alerts:\n  access_burst: -1\n",
         "Pipelines/x.yaml:2: alerts.access_burst: -1 is out of range (0 or more)"),
        ("pricing:\n  gpt-4o:\n    input: 2.5\n",
         "Pipelines/x.yaml:2: pricing.gpt-4o: missing output (USD per million tokens)"),
        ("pricing:\n  gpt-4o: {}\n",
         "Pipelines/x.yaml:2: pricing.gpt-4o: missing input and output (USD per million tokens)"),
        ("pricing:\n  gpt-4o: 2.5\n",
         #"Pipelines/x.yaml:2: pricing.gpt-4o: expected a mapping of keys, found "2.5""#),
        ("pricing:\n  gpt-4o: { input: 2.5, output: 10, cache: 1.25 }\n",
         "Pipelines/x.yaml:2: pricing.gpt-4o.cache: unknown key (expected input, output, cached_input, cache_write)"),
        // 1.1: dated price lists.
        ("pricing:\n  m:\n    - { input: 1, output: 1 }\n",
         "Pipelines/x.yaml:3: pricing.m[0]: missing from (a date or an RFC 3339 time)"),
        ("pricing:\n  m:\n    - { from: 2025-11-01, input: 1, output: 1 }\n    - { from: 2025-11-01T00:00:00Z, input: 2, output: 2 }\n",
         "Pipelines/x.yaml:4: pricing.m[1]: two entries start at the same from"),
        ("pricing:\n  m:\n    - { from: 2025-11-01, input: 1, output: 1 }\n    - { from: 2025-10-01, input: 2, output: 2 }\n",
         "Pipelines/x.yaml:4: pricing.m[1]: entries must be in order of from (this one starts before the one above)"),
        ("pricing:\n  m:\n    - { from: soon, input: 1, output: 1 }\n",
         #"Pipelines/x.yaml:3: pricing.m[0].from: "soon" is neither a date (YYYY-MM-DD) nor an RFC 3339 time"#),
        ("pricing:\n  m: { from: 2025-11-01, input: 1, output: 1 }\n",
         "Pipelines/x.yaml:2: pricing.m.from: unknown key (expected input, output, cached_input, cache_write)"),
        ("limits:\n  error_groups: 0\n", "Pipelines/x.yaml:2: limits.error_groups: 0 is out of range (1…1000000 groups)"),
        ("pricing:\n  m:\n    input: 1\n    output: 0.0000001\n",
         "Pipelines/x.yaml:4: pricing.m.output: 0.0000001 has more than 6 decimals; prices are exact to 0.000001 USD per million tokens"),
        ("pricing:\n  m: { input: -1, output: 1 }\n",
         "Pipelines/x.yaml:2: pricing.m.input: -1 is negative; prices are 0 or more"),
        ("pricing:\n  m: { input: 1e-3, output: 1 }\n",
         #"Pipelines/x.yaml:2: pricing.m.input: "1e-3" is not a price (a plain decimal number of USD per million tokens, e.g. 0.80)"#),
        ("pricing:\n  m: { input: \"0.8\", output: 1 }\n",
         #"Pipelines/x.yaml:2: pricing.m.input: "0.8" is a string, expected a number of USD per million tokens"#),
        ("spool: a\nsnapshots: b\nspool: c\n",
         #"Pipelines/x.yaml:1: duplicate key "spool""#),
        ("- spool\n- snapshots\n",
         "Pipelines/x.yaml:1: the pipeline file must be a mapping of keys, not a list"),
        ("retention:\n  segments: 7d\n  sessions: 30days\n",
         #"Pipelines/x.yaml:3: retention.sessions: "30days" is not a duration (use ms, s, m, h, d: 500ms, 30s, 1h30m)"#),
    ]

    @Test(arguments: cases)
    func faultNamesFileLineAndKey(yaml: String, description: String) {
        #expect(throws: PipelineFileError.self) { try PipelineSettings.parse(yaml: yaml, path: "Pipelines/x.yaml") }
        do {
            _ = try PipelineSettings.parse(yaml: yaml, path: "Pipelines/x.yaml")
        } catch {
            #expect(String(describing: error) == description)
        }
    }

    @Test func faultsHaveACode() {
        let cases: [(yaml: String, code: PipelineFileError.Code)] = [
            ("segment:\n  max_bytes: 64MB\n", .invalidValue),
            ("snapshot:\n  keep: 0\n", .invalidValue),
            ("spool_dir: ./x\n", .unknownKey),
            ("segment: 5\n", .wrongType),
            ("snapshot:\n  keep: \"5\"\n", .wrongType),
            ("snapshot:\n  keep: [1, 2]\n", .wrongType),
            ("pricing:\n  gpt-4o:\n    input: 2.5\n", .missingKey),
            ("spool: a\nspool: c\n", .invalidYAML),
            ("spool: ./s\n  max_age: 5m\n", .invalidYAML),
        ]
        for (yaml, code) in cases {
            #expect(throws: PipelineFileError.self) { try PipelineSettings.parse(yaml: yaml, path: "x.yaml") }
            do { _ = try PipelineSettings.parse(yaml: yaml, path: "x.yaml") } catch let error as PipelineFileError {
                #expect(error.code == code, "\(yaml)")
            } catch {}
        }
        do { _ = try PipelineSettings.load(path: "/nonexistent-tally/x.yaml") } catch let error as PipelineFileError {
            #expect(error.code == .notFound)
        } catch { Issue.record("unexpected error \(error)") }
        do { _ = try PipelineSettings.load(path: "/") } catch let error as PipelineFileError {
            #expect(error.code == .isDirectory)
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test func yamlSyntaxErrorNamesItsLine() {
        do {
            _ = try PipelineSettings.parse(yaml: "spool: ./s\nsegment:\n  max_bytes: 64MiB\n   max_age: 5m\n", path: "Pipelines/x.yaml")
            Issue.record("a syntax error was accepted")
        } catch let error as PipelineFileError {
            #expect(error.line == 4)
            #expect(error.key == nil)
            #expect(error.description.hasPrefix("Pipelines/x.yaml:4: not valid YAML: "))
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingFileIsOneLine() {
        do {
            _ = try PipelineSettings.load(path: "/nonexistent-tally/Pipelines/x.yaml")
            Issue.record("a missing file was accepted")
        } catch {
            #expect(String(describing: error) == "/nonexistent-tally/Pipelines/x.yaml: no such pipeline file")
        }
    }

    @Test func directoryIsNotAPipelineFile() {
        let folder = FileManager.default.temporaryDirectory.path
        do {
            _ = try PipelineSettings.load(path: folder)
            Issue.record("a directory was accepted")
        } catch {
            #expect(String(describing: error) == "\(folder): is a directory, not a pipeline file")
        }
    }
}

@Test func aPipelineFileThatIsNotUTF8IsRefused() throws {
    let path = FileManager.default.temporaryDirectory.path + "/tally-not-utf8-\(getpid()).yaml"
    try Data([0x73, 0x70, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
        _ = try PipelineSettings.load(path: path)
        Issue.record("accepted")
    } catch let error as PipelineFileError {
        #expect(error.code == .notUTF8)
        #expect(error.description == "\(path): the pipeline file is not UTF-8 text")
    }
}
