/// Appending JSON pieces to a reused byte buffer without going through `String`.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        append(contentsOf: bytes)
    }

    @inline(__always)
    mutating func write(_ bytes: ArraySlice<UInt8>) {
        append(contentsOf: bytes)
    }

    /// A decimal integer.
    mutating func writeDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { append(UInt8(ascii: "-")) }
        let start = count
        repeat {
            append(UInt8(truncatingIfNeeded: 48 &+ magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        self[start...].reverse()
    }

    @inline(__always)
    mutating func writeDecimal(_ value: Int) {
        writeDecimal(Int64(value))
    }

    /// Exactly `digits` decimal digits, zero-padded (`value` must fit).
    @inline(__always)
    mutating func writePadded(_ value: Int, digits: Int) {
        var divisor = 1
        for _ in 1..<digits { divisor &*= 10 }
        var rest = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: 48 &+ rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `digits` lower-case hexadecimal digits of `value`.
    @inline(__always)
    mutating func writeHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & 0xF)
            append(nibble < 10 ? 48 &+ nibble : 87 &+ nibble)
            shift -= 4
        }
    }

    /// A non-negative fixed-point number `units / 10^scale` with trailing zeros dropped
    /// (at least one fraction digit is kept only when the value has a fraction): `1234, 4` → `0.1234`.
    mutating func writeFixedPoint(_ units: Int64, scale: Int) {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor &*= 10 }
        writeDecimal(units / divisor)
        var fraction = units % divisor
        guard fraction != 0 else { return }
        var digits = scale
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        append(UInt8(ascii: "."))
        writePadded(Int(fraction), digits: digits)
    }
}

/// How a producer writes `ts`.
enum TimestampStyle: UInt8 {
    /// `2025-10-23T14:30:00.123Z`
    case utcMillis
    /// `2025-10-23T14:30:00Z` (the milliseconds are lost, as with producers that log whole seconds)
    case utcSeconds
    /// `2025-10-23T14:30:00.123456Z`
    case utcMicros
    /// `2025-10-23T16:30:00.123+02:00`: local time with its offset
    case offsetMillis
    /// `1761229800123`
    case epochMillis
}

extension Array where Element == UInt8 {
    /// Writes `ts` as a JSON value (a quoted RFC 3339 string or a bare integer).
    /// `offsetMinutes` is used by `.offsetMillis`; `micros` (0…999) by `.utcMicros`.
    mutating func writeTimestamp(_ epochMillis: Int64, style: TimestampStyle, offsetMinutes: Int, micros: Int) {
        if style == .epochMillis {
            writeDecimal(epochMillis)
            return
        }
        let offset = style == .offsetMillis ? offsetMinutes : 0
        let local = epochMillis + Int64(offset) * 60_000
        let days = local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
        let millisOfDay = Int(local - days * 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        append(UInt8(ascii: "\""))
        writePadded(year, digits: 4)
        append(UInt8(ascii: "-"))
        writePadded(month, digits: 2)
        append(UInt8(ascii: "-"))
        writePadded(day, digits: 2)
        append(UInt8(ascii: "T"))
        writePadded(millisOfDay / 3_600_000, digits: 2)
        append(UInt8(ascii: ":"))
        writePadded(millisOfDay / 60_000 % 60, digits: 2)
        append(UInt8(ascii: ":"))
        writePadded(millisOfDay / 1000 % 60, digits: 2)
        switch style {
        case .utcSeconds, .epochMillis:
            break
        case .utcMillis, .offsetMillis:
            append(UInt8(ascii: "."))
            writePadded(millisOfDay % 1000, digits: 3)
        case .utcMicros:
            append(UInt8(ascii: "."))
            writePadded(millisOfDay % 1000 * 1000 + micros, digits: 6)
        }
        if offset == 0 {
            append(UInt8(ascii: "Z"))
        } else {
            append(UInt8(ascii: offset < 0 ? "-" : "+"))
            writePadded(abs(offset) / 60, digits: 2)
            append(UInt8(ascii: ":"))
            writePadded(abs(offset) % 60, digits: 2)
        }
        append(UInt8(ascii: "\""))
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
}
