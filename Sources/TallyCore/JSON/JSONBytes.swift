/// The one JSON writer of Tally: compact JSON text (RFC 8259) appended straight to a byte
/// buffer. Manifests, dead letters, health, settings and query output are all written with it;
/// ``JSONValue/serialized()`` too. Event lines are not: producers write those.
///
/// Strings are written as UTF-8 with `"` and `\` escaped and control characters (U+0000…U+001F)
/// as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX` (lowercase hex); nothing else is escaped (not `/`,
/// DEL, U+2028 or any non-ASCII character). Written by the thousand (the `models_json` and
/// `tools_json` of every session row of a snapshot): reuse one buffer, ``removeAll()`` keeps its capacity.
///
/// ```swift
/// var json = JSONBytes()
/// json.append("{"); json.appendString("calls"); json.append(":"); json.appendInteger(3); json.append("}")
/// // json.bytes == Array(#"{"calls":3}"#.utf8)
/// ```
package struct JSONBytes {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    /// Appends to `bytes` in place: `body` writes through a `JSONBytes` that holds the buffer
    /// meanwhile (swapped in and out, not copied).
    package static func appending(to bytes: inout [UInt8], _ body: (inout JSONBytes) -> Void) {
        var json = JSONBytes()
        swap(&json.bytes, &bytes)
        body(&json)
        swap(&json.bytes, &bytes)
    }

    package mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends ASCII punctuation or a literal verbatim.
    package mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` as compact JSON: no whitespace, object fields in their order.
    package mutating func append(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): flag ? append("true") : append("false")
        case .number(let text), .raw(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): appendString(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let fields):
            bytes.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(field.key)
                bytes.append(UInt8(ascii: ":"))
                append(field.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends a JSON string literal (see the type's notes for what is escaped).
    package mutating func appendString(_ text: String) {
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
    package mutating func appendInteger(_ value: Int64?) {
        guard let value else { return append("null") }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumCount: 1)
    }

    /// Appends nano-dollars as USD with up to 9 decimals, exactly (the text of `Money.usd(nanos:)`); `nil` as `null`.
    package mutating func appendMoney(nanos: Int64?) {
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
