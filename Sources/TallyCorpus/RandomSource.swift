/// xoshiro256** seeded through SplitMix64: a small, fast, platform-independent PRNG,
/// so a corpus depends on its seed only (never on the system RNG or the platform).
struct RandomSource {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `0..<count` (multiply-shift; the bias is below 2⁻⁴⁰ for the small counts used here).
    @inline(__always)
    mutating func below(_ count: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(count).multipliedFullWidth(by: next()).high)
    }

    /// Uniform in `low...high`.
    @inline(__always)
    mutating func between(_ low: Int, _ high: Int) -> Int {
        low + below(high - low + 1)
    }

    /// Uniform in `low...high`, for event times and token counts.
    @inline(__always)
    mutating func between(_ low: Int64, _ high: Int64) -> Int64 {
        low + Int64(below(Int(high - low + 1)))
    }

    /// Uniform in `[0, 1)`.
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }
}
