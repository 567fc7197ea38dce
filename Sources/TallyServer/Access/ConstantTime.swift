/// Token comparison whose time depends only on the lengths, not on where the bytes differ.
enum ConstantTime {
    /// Whether `given` equals one of `tokens`; every token is compared in full.
    static func matchesAny(_ given: String, _ tokens: [String]) -> Bool {
        var found: UInt8 = 0
        for token in tokens { found |= equal(Array(given.utf8), Array(token.utf8)) }
        return found == 1
    }

    /// 1 when equal, 0 otherwise, without an early exit.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> UInt8 {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0 ? 1 : 0
    }
}
