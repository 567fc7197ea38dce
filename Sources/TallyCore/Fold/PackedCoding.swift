/// Thrown by `FoldState(settings:globals:sessions:)` when persisted fold bytes cannot be read.
///
/// ```swift
/// do { _ = try FoldState(settings: settings, globals: bytes, sessions: []) }
/// catch let error as FoldDecodingError { print(error) }  // "fold globals: truncated varint at byte 17"
/// ```
public struct FoldDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure, open to new values (the shape of TallyPosix's
    /// `ErrorCode`, which this pure module does not import).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The encoding ends inside a value.
        public static let truncated = Self("truncated")
        /// A format version this build does not read (written by a newer one).
        public static let unknownFormat = Self("unknown_format")
        /// Anything else that cannot be what the writer wrote: a value out of range or out of order.
        public static let malformed = Self("malformed")
    }

    public var code: Code
    /// What was being read: `fold globals` or `session state`.
    public var part: String
    /// Byte offset in that encoding where reading failed.
    public var offset: Int
    public var message: String

    public init(code: Code = .malformed, part: String, offset: Int, message: String) {
        self.code = code
        self.part = part
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(part): \(message) at byte \(offset)" }
}

/// Appends the compact binary encoding used for persisted fold state:
/// LEB128 varints, zig-zag for signed values, length-prefixed UTF-8 strings.
struct PackedWriter {
    private(set) var bytes: [UInt8] = []

    init() {}

    /// A writer whose buffer holds `capacity` bytes before it grows.
    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// ``bytes`` in a buffer of their own size, for bytes that are kept (a session's state waits for
    /// the snapshot writer): the growing buffer holds up to twice as many.
    var compactBytes: [UInt8] {
        guard bytes.capacity > bytes.count else { return bytes }
        return bytes.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { target, count in
                count = target.initialize(fromContentsOf: source)
            }
        }
    }

    mutating func unsigned(_ value: UInt64) { varint(value) }

    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A 128-bit value, zig-zag LEB128 like `signed`: the same bytes as `signed` for any value
    /// that fits in 64 bits, so a field can widen without changing what it wrote before.
    mutating func signed128(_ value: Int128) {
        varint(UInt128(bitPattern: (value << 1) ^ (value >> 127)))
    }

    @inline(__always)
    private mutating func varint<T: UnsignedInteger & FixedWidthInteger>(_ value: T) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func count(_ value: Int) { unsigned(UInt64(value)) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalString(_ value: String?) {
        if let value { bool(true); string(value) } else { bool(false) }
    }

    mutating func optionalSigned(_ value: Int64?) {
        if let value { bool(true); signed(value) } else { bool(false) }
    }

    mutating func double(_ value: Double) { unsigned(value.bitPattern) }
}

/// Reads what `PackedWriter` wrote; every failure is a `FoldDecodingError` naming the byte offset.
struct PackedReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    let part: String

    init(_ bytes: [UInt8], part: String) {
        self.bytes = bytes
        self.part = part
    }

    var isAtEnd: Bool { offset == bytes.count }

    func failure(_ message: String, code: FoldDecodingError.Code = .malformed) -> FoldDecodingError {
        FoldDecodingError(code: code, part: part, offset: offset, message: message)
    }

    mutating func unsigned() throws(FoldDecodingError) -> UInt64 { try varint() }

    /// A LEB128 varint of at most `T.bitWidth` bits: a longer one, or a last group with bits above
    /// the width, is damage.
    @inline(__always)
    private mutating func varint<T: UnsignedInteger & FixedWidthInteger>() throws(FoldDecodingError) -> T {
        let lastShift = T.bitWidth / 7 * 7
        var result: T = 0
        var shift = 0
        while true {
            guard offset < bytes.count else { throw failure("truncated varint", code: .truncated) }
            let byte = bytes[offset]
            offset += 1
            guard shift < T.bitWidth, shift < lastShift || byte >> (T.bitWidth - lastShift) == 0 else {
                throw failure("varint too long")
            }
            result |= T(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func signed() throws(FoldDecodingError) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// What `PackedWriter.signed128` wrote (or `signed`: the bytes are the same).
    mutating func signed128() throws(FoldDecodingError) -> Int128 {
        let raw: UInt128 = try varint()
        return Int128(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A length or element count, bounded by the bytes left so a corrupt count cannot allocate wildly.
    mutating func count() throws(FoldDecodingError) -> Int {
        let raw = try unsigned()
        guard raw <= UInt64(bytes.count - offset) else { throw failure("count \(raw) exceeds the bytes left", code: .truncated) }
        return Int(raw)
    }

    mutating func byte() throws(FoldDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw failure("truncated byte", code: .truncated) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func bool() throws(FoldDecodingError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default:
            offset -= 1
            throw failure("bad flag byte")
        }
    }

    mutating func string() throws(FoldDecodingError) -> String {
        let length = try count()
        let slice = bytes[offset..<(offset + length)]
        guard let text = String(validating: slice, as: UTF8.self) else { throw failure("invalid UTF-8 string") }
        offset += length
        return text
    }

    mutating func optionalString() throws(FoldDecodingError) -> String? {
        try bool() ? try string() : nil
    }

    mutating func optionalSigned() throws(FoldDecodingError) -> Int64? {
        try bool() ? try signed() : nil
    }

    mutating func double() throws(FoldDecodingError) -> Double { Double(bitPattern: try unsigned()) }

    /// A raw value of a `UInt8` enum.
    mutating func enumeration<T: RawRepresentable>(_ type: T.Type) throws(FoldDecodingError) -> T where T.RawValue == UInt8 {
        let raw = try byte()
        guard let value = T(rawValue: raw) else {
            offset -= 1
            throw failure("unknown \(T.self) value \(raw)")
        }
        return value
    }
}
