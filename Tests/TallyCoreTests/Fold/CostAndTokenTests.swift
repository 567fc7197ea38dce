import Testing
@testable import TallyCore

@Suite struct CostAndTokenTests {
    /// $3 / $15 per million tokens, cached input $0.30.
    static var settings: FoldSettings {
        var settings = FoldSettings.fewEvents
        settings.pricing = [
            "cached-priced": [ModelPrice(inputPicosPerToken: 3_000_000, outputPicosPerToken: 15_000_000, cachedInputPicosPerToken: 300_000)],
            "plain-priced": [ModelPrice(inputPicosPerToken: 3_000_000, outputPicosPerToken: 15_000_000)],
            "tiny": [ModelPrice(inputPicosPerToken: 1_500, outputPicosPerToken: 0)],
        ]
        return settings
    }

    @Test func costUSDWinsOverThePriceTable() {
        let call = Event.LLMCall(model: "plain-priced", inputTokens: 1_000, outputTokens: 200, costNanos: 123)
        #expect(CallCost.nanos(for: call, at: 0, settings: Self.settings) == 123)
    }

    @Test func priceTableChargesCachedTokensAtTheCachedPrice() {
        // 600 × 3,000,000 + 400 × 300,000 + 200 × 15,000,000 = 4,920,000,000 pico = 4,920,000 nano.
        let call = Event.LLMCall(model: "cached-priced", inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 400)
        #expect(CallCost.nanos(for: call, at: 0, settings: Self.settings) == 4_920_000)
    }

    @Test func priceTableChargesCachedTokensAtTheInputPriceWithoutACachedPrice() {
        // 1,000 × 3,000,000 + 200 × 15,000,000 = 6,000,000,000 pico = 6,000,000 nano.
        let call = Event.LLMCall(model: "plain-priced", inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 400)
        #expect(CallCost.nanos(for: call, at: 0, settings: Self.settings) == 6_000_000)
    }

    @Test func anAbsentCountIsZeroWhenTheOtherIsPresent() {
        let call = Event.LLMCall(model: "plain-priced", outputTokens: 10)
        #expect(CallCost.nanos(for: call, at: 0, settings: Self.settings) == 150_000)
    }

    @Test func eachCallIsRoundedHalfEvenToTheNanoDollar() {
        // 1,500 pico = 1.5 nano → 2; 4,500 pico = 4.5 nano → 4; 3,000 pico → 3.
        let settings = Self.settings
        #expect(CallCost.nanos(for: .init(model: "tiny", inputTokens: 1), at: 0, settings: settings) == 2)
        #expect(CallCost.nanos(for: .init(model: "tiny", inputTokens: 3), at: 0, settings: settings) == 4)
        #expect(CallCost.nanos(for: .init(model: "tiny", inputTokens: 2), at: 0, settings: settings) == 3)
        let state = folded([
            llmCall("s", t0, .init(model: "tiny", inputTokens: 1)),
            llmCall("s", t0 + 1, .init(model: "tiny", inputTokens: 3)),
        ], settings: Self.settings)
        #expect(state.summary().costNanos == 6)
    }

    @Test func unpricedCallsAddNothingAndAreCounted() throws {
        let state = folded([
            llmCall("s", t0, .init(model: "unknown-model", inputTokens: 100, outputTokens: 10)),
            llmCall("s", t0 + 1, .init(model: "plain-priced")),
            llmCall("s", t0 + 2, .init(model: "plain-priced", inputTokens: 1, outputTokens: 0)),
            llmCall("s", t0 + 3, .init(model: "unknown-model", costNanos: 50)),
        ], settings: Self.settings)
        let summary = state.summary()
        #expect(summary.unpricedLLMCalls == 2)
        #expect(summary.costNanos == 3_000 + 50)
        #expect(summary.llmCalls == 4)
        let row = try #require(state.session("s"))
        #expect(row.unpricedLLMCalls == 2 && row.costNanos == 3_050)
        let models = state.models()
        #expect(models.map(\.model) == ["plain-priced", "unknown-model"])
        #expect(models[0].unpricedCalls == 1 && models[0].costNanos == 3_000)
        #expect(models[1].unpricedCalls == 1 && models[1].costNanos == 50)
    }

    @Test func tokenTotalsAreAbsentWhenNoCallReportedThem() throws {
        let state = folded([
            llmCall("s", t0, .init(model: "m", outputTokens: 7)),
            llmCall("s", t0 + 1, .init(model: "m", outputTokens: 0)),
            llmCall("t", t0 + 2, .init(model: "m")),
        ])
        let summary = state.summary()
        #expect(summary.inputTokens == nil)
        #expect(summary.outputTokens == 7)
        #expect(try #require(state.session("t")).outputTokens == nil)
        #expect(try #require(state.session("s")).outputTokens == 7)
        #expect(state.models().first?.inputTokens == nil)
    }
}
