/// Compact JSON text written straight into a byte buffer: the same text as
/// ``JSONValue/serialized()`` without building a `JSONValue` tree or a `String` per value.
/// For texts written by the thousand, such as the `models_json` and `tools_json` of every
/// session row of a snapshot write. Reuse one buffer: ``removeAll()`` keeps its capacity.
///
/// ```swift
/// var json = JSONBytes()
/// json.append("{"); json.appendString("calls"); json.append(":"); json.appendInteger(3); json.append("}")
/// // json.bytes == Array(#"{"calls":3}"#.utf8)
/// ```
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends ASCII punctuation or a literal verbatim.
    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends a JSON string literal: `"` and `\` escaped, control characters as `\n`, `\t`… or
    /// `\u00XX`; everything else as UTF-8.
    mutating func appendString(_ text: String) {
        bytes.append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            // Runs without anything to escape are copied whole.
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte == 0x22 || byte == 0x5C || byte < 0x20 {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscaped(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(0x22)
    }

    /// The escape of `"`, `\` or a control character.
    private mutating func appendEscaped(_ byte: UInt8) {
        bytes.append(0x5C)
        switch byte {
        case 0x22: bytes.append(0x22)
        case 0x5C: bytes.append(0x5C)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            append("u00")
            bytes.append(Self.hexDigit(byte >> 4))
            bytes.append(Self.hexDigit(byte & 0xF))
        }
    }

    /// Appends an integer in decimal; `nil` as `null`.
    mutating func appendInteger(_ value: Int64?) {
        guard let value else { return append("null") }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumCount: 1)
    }

    /// Appends nano-dollars as USD with up to 9 decimals, exactly (the text of `Money.usd(nanos:)`); `nil` as `null`.
    mutating func appendMoney(nanos: Int64?) {
        guard let nanos else { return append("null") }
        if nanos < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = nanos.magnitude
        appendDigits(magnitude / 1_000_000_000, minimumCount: 1)
        var fraction = magnitude % 1_000_000_000
        guard fraction != 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, minimumCount: digits)
    }

    /// `value` in decimal, left-padded with zeros to `minimumCount` digits.
    private mutating func appendDigits(_ value: UInt64, minimumCount: Int) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for UInt64.max's 20 digits
        withUnsafeMutableBytes(of: &scratch) { buffer in
            var value = value
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value != 0 || buffer.count - index < minimumCount
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
