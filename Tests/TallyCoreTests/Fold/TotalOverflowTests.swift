import Testing
@testable import TallyCore

/// No total wraps: token and cost sums saturate at `Int64.max` and are named as overflowed, and
/// the sums behind averages are kept in 128 bits.
@Suite struct TotalOverflowTests {
    static let half = Int64.max / 2 + 1

    /// Two valid calls, each of more than half of `Int64.max` tokens and nano-dollars.
    static var hugeCalls: [Event] {
        ["a", "b"].enumerated().map { index, session in
            llmCall(
                session, t0 + Int64(index) * 1_000,
                .init(model: "m", inputTokens: half, outputTokens: half, costNanos: half), context(user: "u", org: "o"))
        }
    }

    static func expectNoFigureIsNegative(_ state: FoldState) {
        let summary = state.summary()
        for figure in [summary.inputTokens, summary.outputTokens, summary.costNanos] { #expect(figure.map { $0 >= 0 } ?? true) }
        for row in state.sessionRows() {
            for figure in [row.inputTokens, row.outputTokens, row.costNanos] { #expect(figure.map { $0 >= 0 } ?? true) }
        }
        for view in state.models() {
            for figure in [view.inputTokens, view.outputTokens, view.costNanos] { #expect(figure.map { $0 >= 0 } ?? true) }
        }
        for key in RollupKey.allCases {
            for view in state.rollups(by: key) {
                for figure in [view.inputTokens, view.outputTokens, view.costNanos] { #expect(figure.map { $0 >= 0 } ?? true) }
            }
        }
        for bucket in state.timeline() {
            for figure in [bucket.inputTokens, bucket.outputTokens, bucket.costNanos] { #expect(figure.map { $0 >= 0 } ?? true) }
        }
    }

    @Test func twoCallsPastInt64AreFlaggedNeverWrapped() throws {
        let all = ["input_tokens", "output_tokens", "total_tokens", "cost_usd"]
        let state = folded(Self.hugeCalls)
        let summary = state.summary()
        #expect(summary.inputTokens == .max)
        #expect(summary.outputTokens == .max)
        #expect(summary.costNanos == .max)
        #expect(summary.overflowedTotals == all)
        Self.expectNoFigureIsNegative(state)
        // Each session's own figures are below the bound, and exact.
        #expect(try #require(state.session("a")).inputTokens == Self.half)
        #expect(state.models().first?.inputTokens == .max)
        #expect(state.rollups(by: .user).first?.costNanos == .max)

        // Merged from parts, and persisted: still flagged.
        var first = folded([Self.hugeCalls[0]])
        #expect(first.summary().overflowedTotals == ["total_tokens"])
        first.merge(folded([Self.hugeCalls[1]]))
        #expect(first.summary() == summary)
        var stored: [[UInt8]] = []
        for change in first.takeChanges().sessions { stored.append(change.state) }
        let rebuilt = try FoldState(settings: first.settings, globals: first.encodeGlobals(), sessions: stored)
        #expect(rebuilt.summary().overflowedTotals == all)
        Self.expectNoFigureIsNegative(rebuilt)
    }

    @Test func totalsUpToTheBoundStayExact() {
        let below = Int64.max - 1
        let state = folded([
            llmCall("a", t0, .init(model: "m", inputTokens: below - 5, outputTokens: 1, costNanos: 7)),
            llmCall("a", t0 + 1, .init(model: "m", inputTokens: 5, costNanos: below - 7)),
        ])
        let summary = state.summary()
        #expect(summary.inputTokens == below)
        #expect(summary.costNanos == below)
        // Input and output each fit; their sum (the sessions' sort key) does not.
        #expect(summary.overflowedTotals == ["total_tokens"])
    }

    /// A priced call whose cost passes `Int64.max` nano-dollars is clamped there: overflowed, not shown.
    @Test func aPricedCallPastTheBoundIsFlagged() {
        var settings = FoldSettings.fewEvents
        settings.pricing = ["m": [ModelPrice(inputPicosPerToken: 1_000_000, outputPicosPerToken: 1_000_000)]]
        // 10^16 tokens at 1 USD per million: 10^10 USD = 10^19 nano-dollars.
        let state = folded([llmCall("a", t0, .init(model: "m", inputTokens: 10_000_000_000_000_000))], settings: settings)
        #expect(state.summary().overflowedTotals == ["cost_usd"])
        #expect(state.summary().inputTokens == 10_000_000_000_000_000)
    }

    /// Averages of latencies, tool times and time to first token are exact past `Int64.max` sums.
    @Test func averagesOfHugeDurationsAreExact() throws {
        let large = Int64.max - 1
        var state = folded([
            llmCall("a", t0, .init(model: "m", inputTokens: 1, latencyMs: large, ttftMs: large)),
            llmCall("a", t0 + 1, .init(model: "m", inputTokens: 1, latencyMs: large - 2, ttftMs: large - 2)),
            toolCall("a", t0 + 2, "t", ms: large),
            toolCall("a", t0 + 3, "t", ms: large - 2),
        ])
        let expected = Double(large - 1)
        let model = try #require(state.models().first)
        #expect(model.avgLatencyMs == expected)
        #expect(model.avgTTFTMs == expected)
        #expect(state.tools().first?.avgMs == expected)
        #expect(state.summary().overflowedTotals.isEmpty)

        var stored: [[UInt8]] = []
        for change in state.takeChanges().sessions { stored.append(change.state) }
        let rebuilt = try FoldState(settings: state.settings, globals: state.encodeGlobals(), sessions: stored)
        #expect(rebuilt.models() == state.models())
        #expect(rebuilt.tools() == state.tools())
    }

    /// A state written before totals saturated may hold a wrapped, negative total: it counts as overflowed.
    @Test func aWrappedTotalOfAnOlderStateCountsAsOverflowed() throws {
        var state = folded([llmCall("a", t0, .init(model: "m", inputTokens: 3, costNanos: 4))])
        state.inputTokens.total = -5
        state.costNanos = -6
        let rebuilt = try FoldState(settings: state.settings, globals: state.encodeGlobals(), sessions: [])
        #expect(rebuilt.summary().overflowedTotals == ["input_tokens", "total_tokens", "cost_usd"])
        #expect(rebuilt.summary().inputTokens == .max)
    }

    @Test func wideSumsWriteTheBytesOfNarrowOnes() throws {
        for value: Int64 in [0, 1, -1, 63, -64, 64, 1 << 40, -(1 << 40), .max, .min] {
            var narrow = PackedWriter()
            narrow.signed(value)
            var wide = PackedWriter()
            wide.signed128(Int128(value))
            #expect(wide.bytes == narrow.bytes)
            var reader = PackedReader(narrow.bytes, part: "test")
            #expect(try reader.signed128() == Int128(value))
        }
        for value: Int128 in [Int128(Int64.max) * 3, .max, .min, -(Int128(1) << 100)] {
            var writer = PackedWriter()
            writer.signed128(value)
            var reader = PackedReader(writer.bytes, part: "test")
            #expect(try reader.signed128() == value)
            #expect(reader.isAtEnd)
        }
        var tooLong = PackedReader(Array(repeating: 0xFF, count: 19) + [0x01], part: "test")
        #expect(throws: FoldDecodingError.self) { try tooLong.signed128() }
    }
}
