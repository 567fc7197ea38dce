import Foundation
import Testing
import TallyCore
@testable import TallyPipeline

@Suite struct PipelineSettingsTests {
    @Test func defaultsFollowThePipelineSpec() {
        let settings = PipelineSettings.defaults(relativeTo: "/srv/tally")
        #expect(settings.file == nil)
        #expect(settings.spool == "/srv/tally/spool")
        #expect(settings.snapshots == "/srv/tally/snapshots")
        #expect(settings.deadLetter == "/srv/tally/dead-letter")
        #expect(settings.segment.maxBytes == 67_108_864)
        #expect(settings.segment.maxAgeMs == 300_000)
        #expect(settings.segment.compressionLevel == 3)
        #expect(settings.segment.fsync == .always)
        #expect(settings.segment.fsyncIntervalMs == 1_000)
        #expect(settings.snapshot.everyMs == 10_000)
        #expect(settings.snapshot.keep == 5)
        #expect(settings.retentionSegmentsMs == 604_800_000)
        #expect(settings.fold == FoldSettings())
        #expect(settings.fold.maxLineBytes == 1_048_576)
        #expect(settings.fold.sessionRetentionMs == 2_592_000_000)
        #expect(settings.fold.pricing.isEmpty)
    }

    @Test(arguments: ["", "# only a comment\n", "---\n", "~\n"])
    func emptyFileGivesEveryDefault(yaml: String) throws {
        let settings = try PipelineSettings.parse(yaml: yaml, path: "/srv/tally/Pipelines/empty.yaml")
        var expected = PipelineSettings.defaults(relativeTo: "/srv/tally/Pipelines")
        expected.file = "/srv/tally/Pipelines/empty.yaml"
        #expect(settings == expected)
    }

    @Test func emptySectionsKeepTheirDefaults() throws {
        let settings = try PipelineSettings.parse(yaml: "segment:\nsnapshot: ~\npricing: {}\n", path: "/p/x.yaml")
        #expect(settings.segment == SegmentSettings())
        #expect(settings.snapshot == SnapshotSettings())
        #expect(settings.fold.pricing.isEmpty)
    }

    @Test func everyKeyIsRead() throws {
        let yaml = """
            # Production pipeline
            spool: /var/lib/tally/spool
            snapshots: ../snapshots
            dead_letter: dead
            segment:
              max_bytes: 128MiB
              max_age: 1h30m
              compression_level: 9
              fsync: interval
              fsync_interval: 250ms
            snapshot:
              every: 2m
              keep: 3
            limits:
              max_line_bytes: 512KiB
            sessions:
              inactivity_timeout: 2h
              max_session_duration: 12h
              dedup_window: 0s
              watermark_quorum: 4
            alerts:
              slow_response: 45s
              slow_tool: 1m
              access_burst: 0
            pricing:
              claude-3-5-haiku-20241022: { input: 0.80, output: 4.00, cached_input: 0.08 }
              gpt-4.1:
                input: 2
                output: 8.000001
            retention:
              segments: 14d
              sessions: 90d
            """
        let settings = try PipelineSettings.parse(yaml: yaml, path: "/srv/tally/Pipelines/prod.yaml")
        #expect(settings.file == "/srv/tally/Pipelines/prod.yaml")
        #expect(settings.spool == "/var/lib/tally/spool")
        #expect(settings.snapshots == "/srv/tally/snapshots")
        #expect(settings.deadLetter == "/srv/tally/Pipelines/dead")
        #expect(settings.segment.maxBytes == 134_217_728)
        #expect(settings.segment.maxAgeMs == 5_400_000)
        #expect(settings.segment.compressionLevel == 9)
        #expect(settings.segment.fsync == .interval)
        #expect(settings.segment.fsyncIntervalMs == 250)
        #expect(settings.snapshot.everyMs == 120_000)
        #expect(settings.snapshot.keep == 3)
        #expect(settings.fold.maxLineBytes == 524_288)
        #expect(settings.fold.inactivityTimeoutMs == 7_200_000)
        #expect(settings.fold.maxSessionDurationMs == 43_200_000)
        #expect(settings.fold.dedupWindowMs == 0)
        #expect(settings.fold.watermarkQuorum == 4)
        #expect(settings.fold.slowResponseMs == 45_000)
        #expect(settings.fold.slowToolMs == 60_000)
        #expect(settings.fold.accessBurst == 0)
        #expect(settings.fold.pricing == [
            "claude-3-5-haiku-20241022": [ModelPrice(
                inputPicosPerToken: 800_000, outputPicosPerToken: 4_000_000, cachedInputPicosPerToken: 80_000)],
            "gpt-4.1": [ModelPrice(inputPicosPerToken: 2_000_000, outputPicosPerToken: 8_000_001)],
        ])
        #expect(settings.retentionSegmentsMs == 1_209_600_000)
        #expect(settings.fold.sessionRetentionMs == 7_776_000_000)
    }

    @Test func evictAfterTakesADurationOrNever() throws {
        func evictAfter(_ value: String) throws -> Int64? {
            try PipelineSettings.parse(yaml: "sessions:\n  evict_after: \(value)\n", path: "/p/x.yaml").evictAfterMs
        }
        #expect(try PipelineSettings.parse(yaml: "", path: "/p/x.yaml").evictAfterMs == 3_600_000)
        #expect(try evictAfter("0ms") == 0)
        #expect(try evictAfter("90m") == 5_400_000)
        #expect(try evictAfter("never") == nil)
        for bad in ["-1s", "banana", "\"\"", "[1]"] {
            #expect(throws: PipelineFileError.self, "\(bad)") { try evictAfter(bad) }
        }
        let error = #expect(throws: PipelineFileError.self) { try evictAfter("soon") }
        #expect(error?.description.contains("x.yaml:2: sessions.evict_after") == true, "\(error?.description ?? "")")
    }

    @Test func relativePathsResolveAgainstThePipelineFolder() throws {
        let yaml = "spool: ../data/spool\nsnapshots: ./snaps/./x/\ndead_letter: /abs//dl\n"
        let settings = try PipelineSettings.parse(yaml: yaml, path: "/srv/p/Pipelines/x.yaml")
        #expect(settings.spool == "/srv/p/data/spool")
        #expect(settings.snapshots == "/srv/p/Pipelines/snaps/x")
        #expect(settings.deadLetter == "/abs/dl")
    }

    @Test func relativePipelinePathResolvesAgainstTheWorkingDirectory() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let settings = try PipelineSettings.parse(yaml: "", path: "Pipelines/./x.yaml")
        #expect(settings.file == PipelinePath.normalize(cwd + "/Pipelines/x.yaml"))
        #expect(settings.spool == PipelinePath.normalize(cwd + "/Pipelines/spool"))
    }

    @Test(arguments: [
        ("0.08", Int64(80_000)), ("0.80", 800_000), ("3.000001", 3_000_001), ("15", 15_000_000),
        ("0", 0), ("0.000001", 1), ("2.500000000", 2_500_000), ("1234.5", 1_234_500_000),
    ])
    func pricesAreExactPicoDollarsPerToken(text: String, picos: Int64) throws {
        let settings = try PipelineSettings.parse(yaml: "pricing:\n  m: { input: \(text), output: 1 }\n", path: "/p/x.yaml")
        #expect(settings.fold.pricing["m"] == [ModelPrice(inputPicosPerToken: picos, outputPicosPerToken: 1_000_000)])
    }

    @Test func loadReadsAFileFromDisk() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tally-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("local.yaml").path
        try Data("spool: ./in\nsnapshot:\n  keep: 2\n".utf8).write(to: URL(fileURLWithPath: file))

        let settings = try PipelineSettings.load(path: file)
        #expect(settings.file == PipelinePath.normalize(file))
        #expect(settings.spool == PipelinePath.normalize(folder.path + "/in"))
        #expect(settings.snapshot.keep == 2)
    }

    @Test func canonicalJSONOfTheDefaults() {
        let json = PipelineSettings.defaults(relativeTo: "/srv/tally").canonicalJSON()
        #expect(json == """
            {"alerts":{"access_burst":5,"slow_response_ms":30000,"slow_tool_ms":30000},\
            "dead_letter":"/srv/tally/dead-letter","file":null,"limits":{"error_groups":10000,"max_line_bytes":1048576},\
            "pricing":{},"retention":{"segments_ms":604800000,"sessions_ms":2592000000},\
            "segment":{"compression_level":3,"fsync":"always","fsync_interval_ms":1000,"max_age_ms":300000,"max_bytes":67108864},\
            "sessions":{"dedup_window_ms":3600000,"inactivity_timeout_ms":86400000,"max_session_duration_ms":86400000,"watermark_quorum":16},\
            "snapshot":{"every_ms":10000,"keep":5},"snapshots":"/srv/tally/snapshots","spool":"/srv/tally/spool"}
            """)
    }

    @Test func canonicalJSONSortsModelsAndWritesDecimalPrices() throws {
        let yaml = """
            spool: "/data/my \\"spool\\""
            pricing:
              gpt-4o-mini: { input: 0.15, output: 0.6, cached_input: 0.075 }
              claude-sonnet-4-5: { input: 3, output: 15.000001 }
            """
        let json = try PipelineSettings.parse(yaml: yaml, path: "/p/x.yaml").canonicalJSON()
        #expect(json.contains(#""pricing":{"claude-sonnet-4-5":{"input":"3","output":"15.000001"},"gpt-4o-mini":{"cached_input":"0.075","input":"0.15","output":"0.6"}}"#))
        #expect(json.contains(#""spool":"/data/my \"spool\"""#))
        #expect(json.contains(#""file":"/p/x.yaml""#))
    }

    @Test func datedPricesAndCacheWritePricesAreRead() throws {
        let yaml = """
            limits:
              error_groups: 500
            pricing:
              haiku: { input: 0.80, output: 4.00, cached_input: 0.08, cache_write: 1.00 }
              gpt-4o-mini:
                - { from: 2024-07-18, input: 0.15, output: 0.60, cached_input: 0.075 }
                - { from: "2025-11-01T01:00:00+01:00", input: 0.12, output: 0.50 }
            """
        let settings = try PipelineSettings.parse(yaml: yaml, path: "/p/x.yaml")
        #expect(settings.fold.errorGroupLimit == 500)
        #expect(settings.fold.pricing["haiku"] == [ModelPrice(
            inputPicosPerToken: 800_000, outputPicosPerToken: 4_000_000, cachedInputPicosPerToken: 80_000,
            cacheWritePicosPerToken: 1_000_000)])
        #expect(settings.fold.pricing["gpt-4o-mini"] == [
            ModelPrice(inputPicosPerToken: 150_000, outputPicosPerToken: 600_000, cachedInputPicosPerToken: 75_000,
                       from: 1_721_260_800_000),
            ModelPrice(inputPicosPerToken: 120_000, outputPicosPerToken: 500_000, from: 1_761_955_200_000),
        ])
        #expect(settings.canonicalJSON().contains(
            #""gpt-4o-mini":[{"cached_input":"0.075","from_ms":1721260800000,"input":"0.15","output":"0.6"},{"from_ms":1761955200000,"input":"0.12","output":"0.5"}]"#))
    }

    @Test func equalSettingsGiveEqualCanonicalJSON() throws {
        let a = try PipelineSettings.parse(yaml: "pricing:\n  a: {input: 1, output: 2}\n  b: {input: 3, output: 4}\n", path: "/p/x.yaml")
        let b = try PipelineSettings.parse(yaml: "pricing:\n  b: {output: 4, input: 3.0}\n  a: {output: 2, input: 1}\n", path: "/p/x.yaml")
        #expect(a.canonicalJSON() == b.canonicalJSON())
    }
}
