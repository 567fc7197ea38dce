/// The value syntaxes of a pipeline file: sizes, durations, prices, integers.
/// Each returns `nil` or throws a `PipelineValueFault` whose message becomes a `PipelineFileError`.
struct PipelineValueFault: Error {
    var message: String
}

enum PipelineValues {
    /// `64MiB`, `512 KiB`, `1.5GiB`, `100B`: a decimal number and a unit (B, KiB, MiB, GiB,
    /// case-sensitive), giving a whole number of bytes.
    static func size(_ text: String) throws(PipelineValueFault) -> Int {
        let notASize = PipelineValueFault(message: "\(quoted(text)) is not a size (use B, KiB, MiB, GiB)")
        let bytes = Array(text.utf8)
        var index = 0
        var whole = 0
        var fraction = 0
        var fractionDigits = 0
        var wholeDigits = 0
        while index < bytes.count, let digit = decimalDigit(bytes[index]) {
            guard wholeDigits < 15 else { throw PipelineValueFault(message: "\(quoted(text)) is too large") }
            whole = whole * 10 + digit
            wholeDigits += 1
            index += 1
        }
        guard wholeDigits > 0 else { throw notASize }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, let digit = decimalDigit(bytes[index]) {
                guard fractionDigits < 9 else { throw notASize }
                fraction = fraction * 10 + digit
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { throw notASize }
        }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        let unit: Int
        switch String(decoding: bytes[index...], as: UTF8.self) {
        case "B": unit = 1
        case "KiB": unit = 1 << 10
        case "MiB": unit = 1 << 20
        case "GiB": unit = 1 << 30
        default: throw notASize
        }
        var scale = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let (fractionBytes, remainder) = (fraction * unit).quotientAndRemainder(dividingBy: scale)
        guard remainder == 0 else { throw PipelineValueFault(message: "\(quoted(text)) is not a whole number of bytes") }
        let (wholeBytes, overflow) = whole.multipliedReportingOverflow(by: unit)
        guard !overflow, wholeBytes <= Int.max - fractionBytes else {
            throw PipelineValueFault(message: "\(quoted(text)) is too large")
        }
        return wholeBytes + fractionBytes
    }

    /// `250ms`, `30s`, `5m`, `24h`, `7d`, or several whole-number parts from the largest unit
    /// down, each unit at most once: `1h30m`, `1d12h`, `2m30s`.
    static func durationMs(_ text: String) throws(PipelineValueFault) -> Int64 {
        let notADuration = PipelineValueFault(message: "\(quoted(text)) is not a duration (use ms, s, m, h, d: 500ms, 30s, 1h30m)")
        let bytes = Array(text.utf8)
        var index = 0
        var total: Int64 = 0
        var previousRank = Int.max
        guard !bytes.isEmpty else { throw notADuration }
        while index < bytes.count {
            var amount: Int64 = 0
            var digits = 0
            while index < bytes.count, let digit = decimalDigit(bytes[index]) {
                guard digits < 12 else { throw PipelineValueFault(message: "\(quoted(text)) is too long a duration") }
                amount = amount * 10 + Int64(digit)
                digits += 1
                index += 1
            }
            guard digits > 0, index < bytes.count else { throw notADuration }
            let rank: Int
            let unitMs: Int64
            switch bytes[index] {
            case UInt8(ascii: "d"): (rank, unitMs) = (4, 86_400_000)
            case UInt8(ascii: "h"): (rank, unitMs) = (3, 3_600_000)
            case UInt8(ascii: "m") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "s"):
                (rank, unitMs) = (0, 1)
                index += 1
            case UInt8(ascii: "m"): (rank, unitMs) = (2, 60_000)
            case UInt8(ascii: "s"): (rank, unitMs) = (1, 1_000)
            default: throw notADuration
            }
            index += 1
            guard rank < previousRank else { throw notADuration }
            previousRank = rank
            let limit: Int64 = 100 * 365 * 86_400_000
            guard amount <= limit / unitMs, total + amount * unitMs <= limit else {
                throw PipelineValueFault(message: "\(quoted(text)) is longer than 100 years")
            }
            total += amount * unitMs
        }
        return total
    }

    /// USD per million tokens, a plain decimal number with at most 6 decimals (trailing zeros
    /// aside), as exact pico-dollars per token: `0.08` → 80 000.
    static func pricePicos(_ text: String) throws(PipelineValueFault) -> Int64 {
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "-"), bytes.count > 1, decimalDigit(bytes[1]) != nil {
            throw PipelineValueFault(message: "\(text) is negative; prices are 0 or more")
        }
        if bytes.first == UInt8(ascii: "+") { bytes.removeFirst() }
        let notAPrice = PipelineValueFault(message: "\(quoted(text)) is not a price (a plain decimal number of USD per million tokens, e.g. 0.80)")
        var index = 0
        var whole: Int64 = 0
        var digits = 0
        while index < bytes.count, let digit = decimalDigit(bytes[index]) {
            guard digits < 12 else { throw PipelineValueFault(message: "\(text) is too large a price") }
            whole = whole * 10 + Int64(digit)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw notAPrice }
        var fraction = Array<UInt8>()
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, decimalDigit(bytes[index]) != nil {
                fraction.append(bytes[index])
                index += 1
            }
        }
        guard index == bytes.count else { throw notAPrice }
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        guard fraction.count <= 6 else {
            throw PipelineValueFault(message: "\(text) has more than 6 decimals; prices are exact to 0.000001 USD per million tokens")
        }
        var micros: Int64 = 0
        for position in 0..<6 {
            micros = micros * 10 + Int64(position < fraction.count ? Int(fraction[position] - 48) : 0)
        }
        return whole * 1_000_000 + micros
    }

    /// A plain decimal integer, optionally signed.
    static func integer(_ text: String) throws(PipelineValueFault) -> Int {
        guard let value = Int(text) else { throw PipelineValueFault(message: "\(quoted(text)) is not an integer") }
        return value
    }

    /// Decimal text of `picos` pico-dollars per token as USD per million tokens: 80 000 → `0.08`.
    static func priceText(picos: Int64) -> String {
        let whole = picos / 1_000_000
        var fraction = picos % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    /// `text` in double quotes, cut to 60 characters, for messages.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
        return "\"" + shown + "\""
    }

    @inline(__always)
    static func decimalDigit(_ byte: UInt8) -> Int? {
        byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
    }
}

extension PipelineSettings {
    /// What `limits.max_line_bytes` (and `tally append --max-line-bytes`) may be: up to 256 MiB.
    /// A frame of lines costs about this much memory to decode, so a larger value is refused
    /// rather than left to fail an allocation later.
    package static let maxLineBytesRange: ClosedRange<Int> = 1...(256 << 20)

    /// A size as pipeline files write it (`64MiB`, `1.5GiB`, `512 KiB`), for command-line flags
    /// that mirror a pipeline key; `nil` when it is not one.
    package static func size(_ text: String) -> Int? {
        try? PipelineValues.size(text)
    }

    /// A duration as pipeline files write it (`500ms`, `1h30m`), in milliseconds; `nil` when it is not one.
    package static func durationMs(_ text: String) -> Int64? {
        try? PipelineValues.durationMs(text)
    }
}
