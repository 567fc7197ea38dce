import TallyCore

/// RFC 3339 UTC text for epoch milliseconds, and parsing of the time arguments of `query`.
package enum Timestamp {
    /// `2025-10-23T14:30:00.123Z`.
    package static func rfc3339(ms: Int64) -> String {
        let (days, msOfDay) = floorDivide(ms, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let milli = msOfDay % 1000
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(hour, 2) + ":" + pad(minute, 2)
            + ":" + pad(second, 2) + "." + pad(milli, 3) + "Z"
    }

    /// Parses RFC 3339 with an offset or integer epoch milliseconds (as event `ts` is read,
    /// see `EventTime`), or a bare date (`2025-10-23`, midnight UTC).
    package static func parse(_ text: String) -> Int64? {
        if let ms = EventTime.parse(text) { return ms }
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 45, b[7] == 45,
              b.indices.allSatisfy({ $0 == 4 || $0 == 7 || (48...57).contains(b[$0]) }),
              let year = Int64(text.prefix(4)), let month = Int64(text.dropFirst(5).prefix(2)),
              let day = Int64(text.suffix(2)),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return days(fromCivil: year, month, day) * 86_400_000
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400).quotient
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A duration for tables: `850ms`, `12.3s`, `4m05s`, `3h02m`, `2d03h`.
    static func humanDuration(ms: Int64) -> String {
        if ms < 0 { return "-" + humanDuration(ms: -ms) }
        if ms < 1000 { return "\(ms)ms" }
        if ms < 60_000 { return fixedDecimal(Double(ms) / 1000, decimals: 1) + "s" }
        let seconds = ms / 1000
        if seconds < 3600 { return "\(seconds / 60)m" + pad(seconds % 60, 2) + "s" }
        if seconds < 86_400 { return "\(seconds / 3600)h" + pad(seconds / 60 % 60, 2) + "m" }
        return "\(seconds / 86_400)d" + pad(seconds / 3600 % 24, 2) + "h"
    }
}
