import Testing
import TallyCore

/// `cost_usd` → exact integer nano-dollars, rounded half to even past nine decimals.
@Suite struct CostTests {
    typealias H = DecoderHarness

    func nanos(_ json: String) -> Int64? { H.llmCall(#","cost_usd":\#(json)"#)?.costNanos }

    @Test func decimalsConvertExactly() {
        #expect(nanos("0.1") == 100_000_000)
        #expect(nanos("0.3") == 300_000_000)
        #expect(nanos("1") == 1_000_000_000)
        #expect(nanos("0") == 0)
        #expect(nanos("0.0") == 0)
        #expect(nanos("12.345678901") == 12_345_678_901)
        #expect(nanos("0.000000001") == 1)
        #expect(nanos("1e-9") == 1)
        #expect(nanos("1E-9") == 1)
        #expect(nanos("2.5e-3") == 2_500_000)
        #expect(nanos("25e-4") == 2_500_000)
        #expect(nanos("1e2") == 100_000_000_000)
        #expect(nanos("0.5E+1") == 5_000_000_000)
    }

    @Test func pastNineDecimalsRoundsHalfToEven() {
        #expect(nanos("0.0000000015") == 2)  // 1.5 → 2
        #expect(nanos("0.0000000025") == 2)  // 2.5 → 2
        #expect(nanos("0.0000000035") == 4)
        #expect(nanos("0.00000000250000000001") == 3)  // above the half
        #expect(nanos("0.0000000024999") == 2)
        #expect(nanos("0.0000000005") == 0)  // 0.5 → 0
        #expect(nanos("0.0000000006") == 1)
        #expect(nanos("0.00000000049") == 0)
        #expect(nanos("1e-10") == 0)
        #expect(nanos("5e-10") == 0)
        #expect(nanos("15e-10") == 2)
        #expect(nanos("1e-400") == 0)
    }

    @Test func negativeCostIsOutOfRangeButNegativeZeroIsZero() {
        #expect(H.llmCallReason(#","cost_usd":-0.01"#) == .outOfRange)
        #expect(H.llmCallReason(#","cost_usd":-1e-20"#) == .outOfRange)
        #expect(nanos("-0") == 0)
        #expect(nanos("-0.000") == 0)
    }

    @Test func costBeyondInt64NanosIsOutOfRange() {
        #expect(nanos("9223372036.854775807") == Int64.max)
        #expect(nanos("9223372036.8547758074") == Int64.max)  // rounds down onto the maximum
        #expect(H.llmCallReason(#","cost_usd":9223372036.8547758075"#) == .outOfRange)  // rounds up past it
        #expect(H.llmCallReason(#","cost_usd":9223372036.854775808"#) == .outOfRange)
        #expect(H.llmCallReason(#","cost_usd":1e19"#) == .outOfRange)
        #expect(H.llmCallReason(#","cost_usd":1e400"#) == .outOfRange)
        #expect(H.llmCallReason(#","cost_usd":123456789012345678901234567890"#) == .outOfRange)
        #expect(nanos("0e400") == 0)
    }

    @Test func costMustBeANumber() {
        #expect(H.llmCallReason(#","cost_usd":"0.1""#) == .wrongType)
        #expect(H.llmCallReason(#","cost_usd":{}"#) == .wrongType)
    }
}
