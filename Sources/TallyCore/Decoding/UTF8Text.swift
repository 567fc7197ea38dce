/// UTF-8 validation and JSON string unescaping over raw bytes.
///
/// ```swift
/// UTF8Text.isValid(base, count: count)          // whole line, 8 ASCII bytes at a time
/// let written = UTF8Text.unescape(body, count: n, into: buffer)
/// ```
enum UTF8Text {
    /// Length of the well-formed UTF-8 sequence starting at `offset` (a byte >= 0x80),
    /// or 0 when it is ill-formed (overlong, surrogate, above U+10FFFF, truncated).
    @inline(__always)
    static func sequenceLength(_ base: UnsafePointer<UInt8>, at offset: Int, end: Int) -> Int {
        let lead = base[offset]
        let available = end &- offset
        @inline(__always) func continuation(_ index: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            let byte = base[offset &+ index]
            return byte >= low && byte <= high
        }
        switch lead {
        case 0xC2...0xDF:
            return available >= 2 && continuation(1) ? 2 : 0
        case 0xE0:
            return available >= 3 && continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return available >= 3 && continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return available >= 3 && continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return available >= 4 && continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return available >= 4 && continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return available >= 4 && continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Whether `count` bytes at `base` are well-formed UTF-8.
    static func isValid(_ base: UnsafePointer<UInt8>, count: Int) -> Bool {
        var offset = 0
        while offset < count {
            while offset &+ 8 <= count {
                let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                offset &+= 8
            }
            guard offset < count else { return true }
            if base[offset] < 0x80 {
                offset &+= 1
            } else {
                let length = sequenceLength(base, at: offset, end: count)
                guard length > 0 else { return false }
                offset &+= length
            }
        }
        return true
    }

    /// Bytes the UTF-8 encoding of `scalar` takes (surrogates never reach here).
    @inline(__always)
    static func encodedLength(scalar: UInt32) -> Int {
        scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
    }

    /// Unescapes the body of a JSON string the scanner accepted (no quotes) into
    /// `output`, which must hold `count` bytes; returns the bytes written.
    static func unescape(_ input: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<UInt8>) -> Int {
        var read = 0
        var written = 0
        while read < count {
            let byte = input[read]
            guard byte == ASCII.backslash else {
                output[written] = byte
                written &+= 1
                read &+= 1
                continue
            }
            let escape = input[read &+ 1]
            read &+= 2
            let simple: UInt8
            switch escape {
            case ASCII.lowerB: simple = 0x08
            case ASCII.lowerF: simple = 0x0C
            case ASCII.lowerN: simple = 0x0A
            case ASCII.lowerR: simple = 0x0D
            case ASCII.lowerT: simple = 0x09
            case ASCII.lowerU:
                var scalar = hexQuad(input + read)
                read &+= 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hexQuad(input + (read &+ 2))
                    read &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) &<< 10) &+ (low &- 0xDC00)
                }
                written &+= encode(scalar, into: output + written)
                continue
            default: simple = escape  // \" \\ \/
            }
            output[written] = simple
            written &+= 1
        }
        return written
    }

    @inline(__always)
    private static func hexQuad(_ pointer: UnsafePointer<UInt8>) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 { value = value &<< 4 | UInt32(ASCII.hexValue(pointer[index]) ?? 0) }
        return value
    }

    private static func encode(_ scalar: UInt32, into output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case ..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case ..<0x800:
            output[0] = UInt8(0xC0 | scalar &>> 6)
            output[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case ..<0x10000:
            output[0] = UInt8(0xE0 | scalar &>> 12)
            output[1] = UInt8(0x80 | scalar &>> 6 & 0x3F)
            output[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[0] = UInt8(0xF0 | scalar &>> 18)
            output[1] = UInt8(0x80 | scalar &>> 12 & 0x3F)
            output[2] = UInt8(0x80 | scalar &>> 6 & 0x3F)
            output[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
