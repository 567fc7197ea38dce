/// Exact conversions of JSON number text the scanner accepted.
///
/// ```swift
/// DecimalNumber.integer(bytes, count: 3)             // "-42" → .value(-42)
/// DecimalNumber.nanos(bytes, count: 3)               // "0.1" → .value(100_000_000)
/// ```
enum DecimalNumber {
    enum Conversion: Equatable {
        case value(Int64)
        /// The number does not fit in an `Int64`.
        case overflow
    }

    /// The value of a JSON integer (`-?[0-9]+`).
    static func integer(_ text: UnsafePointer<UInt8>, count: Int) -> Conversion {
        let negative = text[0] == ASCII.minus
        var index = negative ? 1 : 0
        // Accumulate negatively so Int64.min fits.
        var value: Int64 = 0
        if count - index <= 18 {
            while index < count {
                value = value &* 10 &- Int64(text[index] &- ASCII.zero)
                index &+= 1
            }
        } else {
            while index < count {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.subtractingReportingOverflow(Int64(text[index] &- ASCII.zero))
                if overflow1 || overflow2 { return .overflow }
                value = next
                index &+= 1
            }
        }
        if negative { return .value(value) }
        return value == .min ? .overflow : .value(-value)
    }

    enum Money: Equatable {
        case nanos(Int64)
        /// Below zero (zero written as `-0` or `-0.0` is zero).
        case negative
        /// More than `Int64.max` nano-units after rounding.
        case overflow
    }

    /// A non-negative JSON number times 10^9, rounded half to even, computed on the
    /// decimal digits (no binary floating point): `1e-9` → 1, `0.0000000015` → 2,
    /// `0.0000000025` → 2.
    static func nanos(_ text: UnsafePointer<UInt8>, count: Int) -> Money {
        var index = 0
        let negative = text[0] == ASCII.minus
        if negative { index = 1 }
        let integerStart = index
        while index < count && ASCII.isDigit(text[index]) { index += 1 }
        let integerEnd = index
        var fractionStart = index
        var fractionEnd = index
        if index < count && text[index] == ASCII.dot {
            fractionStart = index + 1
            index = fractionStart
            while index < count && ASCII.isDigit(text[index]) { index += 1 }
            fractionEnd = index
        }
        var exponent = 0
        if index < count {  // e or E
            index += 1
            let exponentNegative = text[index] == ASCII.minus
            if text[index] == ASCII.minus || text[index] == ASCII.plus { index += 1 }
            while index < count {
                // Saturate: past 10^9 the result is 0 or overflow either way.
                if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(text[index] &- ASCII.zero) }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        // The digits, integer then fraction, as one sequence D; value = D × 10^scale nano-units.
        let integerCount = integerEnd - integerStart
        let digitCount = integerCount + fractionEnd - fractionStart
        @inline(__always) func digit(_ position: Int) -> Int64 {
            let byte = position < integerCount
                ? text[integerStart + position] : text[fractionStart + position - integerCount]
            return Int64(byte &- ASCII.zero)
        }
        var first = 0
        while first < digitCount && digit(first) == 0 { first += 1 }
        if first == digitCount { return .nanos(0) }
        if negative { return .negative }

        let scale = exponent - (fractionEnd - fractionStart) + 9
        // Digits of D (from its first non-zero one) that land at or above the units place.
        let kept = digitCount - first + scale
        if kept > 19 { return .overflow }  // at least 10^19 > Int64.max
        var value: Int64 = 0
        if kept > 0 {
            for position in first..<min(first + kept, digitCount) {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.addingReportingOverflow(digit(position))
                if overflow1 || overflow2 { return .overflow }
                value = next
            }
            for _ in digitCount..<max(first + kept, digitCount) {
                let (next, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return .overflow }
                value = next
            }
        }
        let dropped = first + max(kept, 0)
        // kept < 0: every kept digit is an implicit 0 and so is the first dropped one: rounds down.
        if kept >= 0 && dropped < digitCount {
            let firstDropped = digit(dropped)
            var roundUp = firstDropped > 5
            if firstDropped == 5 {
                var rest = dropped + 1
                while rest < digitCount && digit(rest) == 0 { rest += 1 }
                roundUp = rest < digitCount || value & 1 == 1
            }
            if roundUp {
                let (next, overflow) = value.addingReportingOverflow(1)
                if overflow { return .overflow }
                value = next
            }
        }
        return .nanos(value)
    }
}
