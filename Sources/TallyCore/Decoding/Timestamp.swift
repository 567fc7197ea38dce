/// Event times: RFC 3339 text or integer epoch milliseconds, to epoch milliseconds,
/// in integer arithmetic only.
///
/// ```swift
/// Timestamp.epochMilliseconds(rfc3339: bytes, count: 24)   // "2025-10-23T14:30:00.123Z" → 1_761_229_800_123
/// ```
///
/// Accepted text: `YYYY-MM-DD` `T`, `t` or one space `hh:mm:ss`, an optional `.` and
/// one or more fraction digits (truncated to milliseconds, never rounded), then a
/// mandatory offset `Z`, `z` or `±hh:mm` (`-00:00` is UTC). Calendar fields are
/// checked (month 1–12, day within the month, leap years, hour ≤ 23, minute ≤ 59).
/// Second 60 is accepted only where a leap second can stand, at 23:59 UTC, and is
/// counted as the first second of the next day, as POSIX time does.
/// Every result lies within years 0000–9999 UTC.
enum Timestamp {
    /// `0000-01-01T00:00:00.000Z`.
    static let earliest: Int64 = -62_167_219_200_000
    /// `9999-12-31T23:59:59.999Z`.
    static let latest: Int64 = 253_402_300_799_999

    static func epochMilliseconds(rfc3339 text: UnsafePointer<UInt8>, count: Int) -> Int64? {
        // YYYY-MM-DDThh:mm:ss is 19 bytes; the shortest offset is one more.
        guard count >= 20,
              let year = digits(text, 0, 4), text[4] == ASCII.minus,
              let month = digits(text, 5, 2), text[7] == ASCII.minus,
              let day = digits(text, 8, 2),
              text[10] | 0x20 == ASCII.lowerT || text[10] == ASCII.space,
              let hour = digits(text, 11, 2), text[13] == ASCII.colon,
              let minute = digits(text, 14, 2), text[16] == ASCII.colon,
              let second = digits(text, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var offset = 19
        var millisecond: Int64 = 0
        if text[offset] == ASCII.dot {
            offset += 1
            let fractionStart = offset
            while offset < count && ASCII.isDigit(text[offset]) {
                if offset - fractionStart < 3 {
                    millisecond = millisecond * 10 + Int64(text[offset] &- ASCII.zero)
                }
                offset += 1
            }
            let fractionDigits = offset - fractionStart
            guard fractionDigits > 0 else { return nil }
            for _ in min(fractionDigits, 3)..<3 { millisecond *= 10 }
        }

        guard offset < count else { return nil }
        var offsetMinutes: Int64 = 0
        switch text[offset] {
        case ASCII.upperZ, ASCII.lowerZ:
            guard offset + 1 == count else { return nil }
        case ASCII.plus, ASCII.minus:
            guard offset + 6 == count,
                  let offsetHour = digits(text, offset + 1, 2), text[offset + 3] == ASCII.colon,
                  let offsetMinute = digits(text, offset + 4, 2),
                  offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = offsetHour * 60 + offsetMinute
            if text[offset] == ASCII.minus { offsetMinutes = -offsetMinutes }
        default:
            return nil
        }

        let localMinutes = daysFromCivil(year: year, month: month, day: day) * 1440 + hour * 60 + minute
        let utcMinutes = localMinutes - offsetMinutes
        if second == 60 {
            // 23:59 UTC, whatever the offset.
            guard (utcMinutes % 1440 + 1440) % 1440 == 1439 else { return nil }
        }
        let milliseconds = (utcMinutes * 60 + second) * 1000 + millisecond
        guard milliseconds >= earliest, milliseconds <= latest else { return nil }
        return milliseconds
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The decimal value of `count` ASCII digits at `text[offset...]`, or nil.
    @inline(__always)
    private static func digits(_ text: UnsafePointer<UInt8>, _ offset: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for index in offset..<(offset + count) {
            let digit = text[index] &- ASCII.zero
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}
