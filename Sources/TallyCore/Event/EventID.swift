/// An `event_id`, kept as a stable 128-bit hash of its text: the fold only ever compares ids,
/// so the decoder hashes the id where it finds it (on a decode thread) and neither the event nor
/// the dedup window holds a heap string (16 bytes, cheap to hash and to persist).
///
/// Two lanes of multiply–rotate mixing over 8-byte words with a murmur3 finalizer; stable across
/// processes and machines. Ids are producer-chosen, not adversarial: two different ids collide with
/// probability about n² / 2^129 (below 10^-26 for a million ids in the window).
///
/// ```swift
/// let id: EventID = "evt-42"          // or EventID(someString)
/// ```
public struct EventID: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    var high: UInt64
    var low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(_ eventID: String) {
        var eventID = eventID
        (high, low) = eventID.withUTF8 { Self.hash($0) }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The id whose UTF-8 text is `utf8`.
    init(utf8: UnsafeBufferPointer<UInt8>) {
        (high, low) = Self.hash(utf8)
    }

    public var description: String { "event id #" + String(high, radix: 16) + String(low, radix: 16) }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        var first: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var second: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        var offset = 0
        let raw = UnsafeRawPointer(bytes.baseAddress)
        while offset + 8 <= bytes.count {
            // The eight bytes as a little-endian word (byte i in bits 8i...8i+7), on any machine.
            let word = UInt64(littleEndian: raw!.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            first = ((first ^ word) &* 0xFF51_AFD7_ED55_8CCD).rotatedLeft(by: 29)
            second = ((second &+ word) &* 0xC4CE_B9FE_1A85_EC53).rotatedLeft(by: 31) ^ first
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        first = ((first ^ tail) &* 0xFF51_AFD7_ED55_8CCD).rotatedLeft(by: 29)
        second = ((second &+ tail) &* 0xC4CE_B9FE_1A85_EC53).rotatedLeft(by: 31) ^ first
        return (finalized(first ^ second.rotatedLeft(by: 17)), finalized(second))
    }

    private static func finalized(_ value: UInt64) -> UInt64 {
        var value = value
        value ^= value >> 33
        value &*= 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 33
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 33
        return value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(low)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
