/// Log-linear (HDR-style) histogram of non-negative millisecond values, mergeable exactly.
///
/// Values below 256 have a bucket each; above, every power of two is split into 128
/// equal sub-buckets, so a bucket is at most 1/128 of its lower bound wide and a reported
/// percentile (the bucket's midpoint, capped at the exact maximum) is within 0.4 % of the
/// true value. Exact count, sum and maximum are kept beside the buckets for averages.
///
/// ```swift
/// var histogram = LatencyHistogram()
/// histogram.record(1_250)
/// histogram.percentile(95)  // 1_250 ± 0.4 %
/// ```
/// Memory: one `Int64` per bucket up to the largest value seen (about 1,800 buckets for 10 minutes).
struct LatencyHistogram: Hashable, Sendable {
    private(set) var buckets: [Int64] = []
    private(set) var count: Int64 = 0
    /// In 128 bits: fewer than 2^63 values below 2^63 each never reach 2^127, so averages are exact.
    private(set) var sum: Int128 = 0
    private(set) var max: Int64?

    static let subBucketBits = 7

    @inline(__always)
    static func bucketIndex(_ value: Int64) -> Int {
        let value = Swift.max(value, 0)
        let shift = Swift.max(0, (63 - value.leadingZeroBitCount) - subBucketBits)
        return (shift << subBucketBits) + Int(value >> shift)
    }

    /// The value a bucket reports: itself below 256, else the midpoint of its range.
    static func representative(ofBucket index: Int) -> Int64 {
        let shift = Swift.max(0, (index >> subBucketBits) - 1)
        let lower = Int64(index - (shift << subBucketBits)) << shift
        return lower + ((Int64(1) << shift) - 1) / 2
    }

    @inline(__always)
    mutating func record(_ value: Int64) {
        let index = Self.bucketIndex(value)
        if index >= buckets.count { buckets.append(contentsOf: repeatElement(0, count: index + 1 - buckets.count)) }
        buckets[index] &+= 1
        count &+= 1
        sum += Int128(value)
        if max.map({ value > $0 }) ?? true { max = value }
    }

    mutating func merge(_ other: LatencyHistogram) {
        if other.buckets.count > buckets.count {
            buckets.append(contentsOf: repeatElement(0, count: other.buckets.count - buckets.count))
        }
        for (index, bucketCount) in other.buckets.enumerated() where bucketCount != 0 { buckets[index] &+= bucketCount }
        count &+= other.count
        sum += other.sum
        if let otherMax = other.max, max.map({ otherMax > $0 }) ?? true { max = otherMax }
    }

    var average: Double? { count > 0 ? Double(sum) / Double(count) : nil }

    /// Nearest-rank percentile: the value at rank `ceil(percent / 100 × count)`.
    func percentile(_ percent: Int64) -> Int64? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, (percent * count + 99) / 100)
        var seen: Int64 = 0
        for (index, bucketCount) in buckets.enumerated() where bucketCount > 0 {
            seen += bucketCount
            if seen >= rank {
                let value = Self.representative(ofBucket: index)
                return max.map { Swift.min(value, $0) } ?? value
            }
        }
        return max
    }

    func encode(into writer: inout PackedWriter) {
        writer.signed(count)
        writer.signed128(sum)
        writer.optionalSigned(max)
        let used = buckets.indices.filter { buckets[$0] != 0 }
        writer.count(used.count)
        for index in used {
            writer.count(index)
            writer.signed(buckets[index])
        }
    }

    static func decode(from reader: inout PackedReader) throws(FoldDecodingError) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        histogram.count = try reader.signed()
        histogram.sum = try reader.signed128()
        histogram.max = try reader.optionalSigned()
        let used = try reader.count()
        for _ in 0..<used {
            // A bucket index, not a length: bounded by the histogram's range, not by the bytes left.
            let raw = try reader.unsigned()
            guard raw <= UInt64(bucketIndex(.max)) else { throw reader.failure("histogram bucket \(raw) out of range") }
            let index = Int(raw)
            if index >= histogram.buckets.count {
                histogram.buckets.append(contentsOf: repeatElement(0, count: index + 1 - histogram.buckets.count))
            }
            histogram.buckets[index] = try reader.signed()
        }
        return histogram
    }
}
