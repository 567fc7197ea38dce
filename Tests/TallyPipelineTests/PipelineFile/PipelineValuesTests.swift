import Testing
@testable import TallyPipeline

@Suite struct PipelineValuesTests {
    @Test(arguments: [
        ("1B", 1), ("64MiB", 67_108_864), ("64 MiB", 67_108_864), ("512KiB", 524_288), ("1.5GiB", 1_610_612_736),
        ("0.5KiB", 512), ("2GiB", 2_147_483_648),
    ])
    func sizesAreBytes(text: String, bytes: Int) throws {
        #expect(try PipelineValues.size(text) == bytes)
    }

    @Test(arguments: ["64MB", "64mib", "64", "MiB", "1.3B", "-1KiB", "1.KiB", "64MiB ", ""])
    func malformedSizesAreRefused(text: String) {
        #expect(throws: PipelineValueFault.self) { try PipelineValues.size(text) }
    }

    @Test(arguments: [
        ("1500ms", Int64(1_500)), ("30s", 30_000), ("5m", 300_000), ("24h", 86_400_000), ("7d", 604_800_000),
        ("1h30m", 5_400_000), ("1d12h", 129_600_000), ("2m30s", 150_000), ("1m500ms", 60_500), ("0s", 0),
    ])
    func durationsAreMilliseconds(text: String, ms: Int64) throws {
        #expect(try PipelineValues.durationMs(text) == ms)
    }

    @Test(arguments: ["30m1h", "1h1h", "1.5h", "", "5 m", "h", "10", "1w", "99999999999999d"])
    func malformedDurationsAreRefused(text: String) {
        #expect(throws: PipelineValueFault.self) { try PipelineValues.durationMs(text) }
    }

    @Test(arguments: [(Int64(80_000), "0.08"), (800_000, "0.8"), (15_000_000, "15"), (3_000_001, "3.000001"), (0, "0"), (1, "0.000001")])
    func priceTextIsShortestExactDecimal(picos: Int64, text: String) {
        #expect(PipelineValues.priceText(picos: picos) == text)
    }
}
