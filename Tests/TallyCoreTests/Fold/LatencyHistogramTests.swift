import Testing
@testable import TallyCore
import TallyCorpus

@Suite struct LatencyHistogramTests {
    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value in Int64(1)...100 { histogram.record(value) }
        #expect(histogram.percentile(50) == 50)
        #expect(histogram.percentile(95) == 95)
        #expect(histogram.percentile(99) == 99)
        #expect(histogram.max == 100)
        #expect(histogram.average == 50.5)
    }

    @Test func percentilesAreWithinOnePercentOnAWideDistribution() {
        var histogram = LatencyHistogram()
        for value in Int64(1)...100_000 { histogram.record(value) }
        // Nearest rank on 1...100,000: rank ceil(q × n) is the value itself.
        for (percent, exact) in [(Int64(50), 50_000.0), (95, 95_000.0), (99, 99_000.0)] {
            let reported = Double(histogram.percentile(percent)!)
            #expect(abs(reported - exact) / exact <= 0.01, "p\(percent) = \(reported)")
        }
        #expect(histogram.count == 100_000)
        #expect(histogram.sum == 5_000_050_000)
    }

    @Test func everyBucketRepresentativeIsWithinHalfAPercentOfItsValues() {
        for value in [Int64(255), 256, 257, 1_000, 45_200, 1_234_567, 987_654_321_000] {
            let representative = LatencyHistogram.representative(ofBucket: LatencyHistogram.bucketIndex(value))
            #expect(abs(Double(representative - value)) / Double(value) < 0.005, "\(value) → \(representative)")
        }
    }

    @Test func mergeEqualsRecordingEverythingInOne() {
        var all = LatencyHistogram()
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var generator = SplitMix64(seed: 7)
        for index in 0..<5_000 {
            let value = Int64.random(in: 0...2_000_000, using: &generator)
            all.record(value)
            if index % 3 == 0 { left.record(value) } else { right.record(value) }
        }
        left.merge(right)
        #expect(left == all)
        #expect(left.percentile(95) == all.percentile(95))
    }
}
