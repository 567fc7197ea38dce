/// A forward-only JSON syntax scanner over the bytes of one line.
///
/// ```swift
/// var scanner = JSONScanner(base: pointer, count: count)
/// scanner.skipWhitespace()
/// let kind = try scanner.scanValue(spill: &spill)   // validates, does not build values
/// ```
///
/// It validates RFC 8259 syntax and the UTF-8 of every string it crosses,
/// and reports where values lie; it never allocates except for nesting deeper
/// than 64 levels (kept in the caller's reusable `spill`). String bodies are
/// skipped eight bytes at a time. Lone UTF-16 surrogate escapes are refused as
/// `notJSON` (as I-JSON, RFC 7493, requires), since they name no Unicode text.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int = 0

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
    }

    /// Why scanning stopped; the decoder turns these into `InvalidReason`s.
    enum Failure: Error {
        case notJSON
        case invalidUTF8
    }

    /// The byte at `position`, or 0 past the end (0 never starts or ends a JSON token).
    @inline(__always)
    var current: UInt8 { position < end ? base[position] : 0 }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch base[position] {
            case ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn: position &+= 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(Failure) {
        guard current == byte else { throw .notJSON }
        position &+= 1
    }

    // MARK: Values

    /// Scans one value starting at `position` (no leading white space) and leaves
    /// `position` just past it. Containers are skipped whole.
    @inline(__always)
    mutating func scanValue(spill: inout [UInt64]) throws(Failure) -> ValueSpan {
        let start = position
        let kind: ValueKind
        var shrink = 0
        switch current {
        case ASCII.quote:
            shrink = try scanString()
            kind = .string
        case ASCII.leftBrace:
            try skipContainer(spill: &spill)
            kind = .object
        case ASCII.leftBracket:
            try skipContainer(spill: &spill)
            kind = .array
        case ASCII.minus, ASCII.zero...ASCII.nine:
            kind = try scanNumber() ? .integer : .number
        case ASCII.lowerT:
            try scanLiteral("true")
            kind = .boolean
        case ASCII.lowerF:
            try scanLiteral("false")
            kind = .boolean
        case ASCII.lowerN:
            try scanLiteral("null")
            kind = .null
        default:
            throw .notJSON
        }
        return ValueSpan(start: start, end: position, kind: kind, shrink: shrink)
    }

    /// Scans a value that is not an object or array.
    @inline(__always)
    mutating func scanScalar() throws(Failure) {
        switch current {
        case ASCII.quote: _ = try scanString()
        case ASCII.minus, ASCII.zero...ASCII.nine: _ = try scanNumber()
        case ASCII.lowerT: try scanLiteral("true")
        case ASCII.lowerF: try scanLiteral("false")
        case ASCII.lowerN: try scanLiteral("null")
        default: throw .notJSON
        }
    }

    @inline(__always)
    mutating func scanLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard end - position >= count else { throw .notJSON }
        let expected = literal.utf8Start
        for offset in 0..<count where base[position + offset] != expected[offset] {
            throw .notJSON
        }
        position &+= count
    }

    /// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; true when it has
    /// neither fraction nor exponent (a JSON integer).
    @inline(__always)
    mutating func scanNumber() throws(Failure) -> Bool {
        if current == ASCII.minus { position &+= 1 }
        let first = current
        if first == ASCII.zero {
            position &+= 1
        } else if first >= ASCII.one && first <= ASCII.nine {
            position &+= 1
            skipDigits()
        } else {
            throw .notJSON
        }
        var isInteger = true
        if current == ASCII.dot {
            position &+= 1
            guard ASCII.isDigit(current) else { throw .notJSON }
            skipDigits()
            isInteger = false
        }
        if current | 0x20 == ASCII.lowerE {
            position &+= 1
            if current == ASCII.plus || current == ASCII.minus { position &+= 1 }
            guard ASCII.isDigit(current) else { throw .notJSON }
            skipDigits()
            isInteger = false
        }
        return isInteger
    }

    @inline(__always)
    mutating func skipDigits() {
        while position < end && ASCII.isDigit(base[position]) { position &+= 1 }
    }

    // MARK: Strings

    /// Scans a string from its opening quote to just past its closing quote,
    /// validating escapes and UTF-8. Returns how many bytes unescaping removes
    /// (0 exactly when the string has no escapes).
    @inline(__always)
    mutating func scanString() throws(Failure) -> Int {
        position &+= 1
        var shrink = 0
        while true {
            position = skipPlainStringBytes(from: position)
            guard position < end else { throw .notJSON }
            let byte = base[position]
            if byte == ASCII.quote {
                position &+= 1
                return shrink
            } else if byte == ASCII.backslash {
                shrink &+= try scanEscape()
            } else if byte >= 0x80 {
                try scanMultibyte()
            } else if byte < 0x20 {
                throw .notJSON
            } else {
                position &+= 1  // an ordinary byte in the last seven of the line
            }
        }
    }

    /// The length of the string body starting at `start` when its closing quote is among its first
    /// 16 bytes and nothing before it needs a closer look (an escape, a control or non-ASCII byte);
    /// otherwise `nil`. Reads 16 bytes, so only where 16 remain in the line.
    @inline(__always)
    func plainShortString(at start: Int) -> Int? {
        guard start &+ 16 <= end else { return nil }
        let raw = UnsafeRawPointer(base)
        let first = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)))
        let offset: Int
        if first != 0 {
            offset = first.trailingZeroBitCount &>> 3
        } else {
            let second = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start &+ 8, as: UInt64.self)))
            guard second != 0 else { return nil }
            offset = 8 &+ second.trailingZeroBitCount &>> 3
        }
        return base[start &+ offset] == ASCII.quote ? offset : nil
    }

    /// The offset of the first byte at or after `start` that is special inside a
    /// string (see `specialBytes`), 16 then 8 bytes at a time; stops up to 7 bytes
    /// short of the end, where the caller goes byte by byte.
    @inline(__always)
    func skipPlainStringBytes(from start: Int) -> Int {
        var offset = start
        let raw = UnsafeRawPointer(base)
        while offset &+ 16 <= end {
            let first = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            let second = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset &+ 8, as: UInt64.self)))
            if first | second != 0 {
                return first != 0
                    ? offset &+ first.trailingZeroBitCount &>> 3
                    : offset &+ 8 &+ second.trailingZeroBitCount &>> 3
            }
            offset &+= 16
        }
        if offset &+ 8 <= end {
            let word = Self.specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            if word != 0 { return offset &+ word.trailingZeroBitCount &>> 3 }
            offset &+= 8
        }
        return offset
    }

    /// High bit set in each byte of `word` that is `"`, `\`, a control byte (< 0x20)
    /// or non-ASCII (>= 0x80). Bits above the lowest set one may be spurious
    /// (borrows), the lowest is exact, which is all the scanner uses.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(ASCII.quote))
        let backslashes = word ^ (ones &* UInt64(ASCII.backslash))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl | word) & highs
    }

    /// Scans one escape at `position` (the backslash); returns the bytes it saves when unescaped.
    @inline(__always)
    mutating func scanEscape() throws(Failure) -> Int {
        guard position &+ 1 < end else { throw .notJSON }
        switch base[position &+ 1] {
        case ASCII.quote, ASCII.backslash, ASCII.slash, ASCII.lowerB, ASCII.lowerF,
            ASCII.lowerN, ASCII.lowerR, ASCII.lowerT:
            position &+= 2
            return 1
        case ASCII.lowerU:
            let unit = try hexQuad(at: position &+ 2)
            position &+= 6
            switch unit {
            case 0xD800...0xDBFF:
                guard position &+ 1 < end, base[position] == ASCII.backslash, base[position &+ 1] == ASCII.lowerU
                else { throw .notJSON }
                let low = try hexQuad(at: position &+ 2)
                guard (0xDC00...0xDFFF).contains(low) else { throw .notJSON }
                position &+= 6
                return 12 - 4
            case 0xDC00...0xDFFF:
                throw .notJSON
            default:
                return 6 - UTF8Text.encodedLength(scalar: unit)
            }
        default:
            throw .notJSON
        }
    }

    @inline(__always)
    func hexQuad(at offset: Int) throws(Failure) -> UInt32 {
        guard offset &+ 4 <= end else { throw .notJSON }
        var value: UInt32 = 0
        for index in offset..<(offset &+ 4) {
            guard let digit = ASCII.hexValue(base[index]) else { throw .notJSON }
            value = value &<< 4 | UInt32(digit)
        }
        return value
    }

    /// Validates the UTF-8 sequences starting at `position` (a byte >= 0x80) and
    /// every one that directly follows.
    mutating func scanMultibyte() throws(Failure) {
        repeat {
            let length = UTF8Text.sequenceLength(base, at: position, end: end)
            guard length > 0 else { throw .invalidUTF8 }
            position &+= length
        } while position < end && base[position] >= 0x80
    }

    // MARK: Containers

    /// Skips the object or array at `position` and everything nested in it.
    /// Iterative, so nesting depth is bounded only by the line length.
    mutating func skipContainer(spill: inout [UInt64]) throws(Failure) {
        var stack = NestingStack()
        opening: while true {
            // `position` is at `{` or `[`.
            let isObject = base[position] == ASCII.leftBrace
            stack.push(isObject, spill: &spill)
            position &+= 1
            skipWhitespace()
            if current == (isObject ? ASCII.rightBrace : ASCII.rightBracket) {
                position &+= 1
                stack.pop()
            } else if try scanElement(inObject: isObject) {
                continue opening
            }
            // A value just ended; close containers or move to the next element.
            while !stack.isEmpty {
                skipWhitespace()
                let inObject = stack.topIsObject(spill: spill)
                let byte = current
                if byte == ASCII.comma {
                    position &+= 1
                    skipWhitespace()
                    if try scanElement(inObject: inObject) { continue opening }
                } else if byte == (inObject ? ASCII.rightBrace : ASCII.rightBracket) {
                    position &+= 1
                    stack.pop()
                } else {
                    throw .notJSON
                }
            }
            return
        }
    }

    /// Scans one array element or object member up to its value. Returns true,
    /// leaving `position` at the bracket, when the value is a container to open.
    @inline(__always)
    mutating func scanElement(inObject: Bool) throws(Failure) -> Bool {
        if inObject {
            guard current == ASCII.quote else { throw .notJSON }
            _ = try scanString()
            skipWhitespace()
            try expect(ASCII.colon)
            skipWhitespace()
        }
        let byte = current
        if byte == ASCII.leftBrace || byte == ASCII.leftBracket { return true }
        try scanScalar()
        return false
    }
}
