/// Recently built `String`s by their UTF-8 bytes, so that a text seen again (a session id on
/// each of its events, a model or tool name) shares one heap `String` instead of allocating.
///
/// ```swift
/// let interner = StringInterner()
/// let id = interner.string(bytes, count: 21)   // built once ...
/// let again = interner.string(bytes, count: 21) // ... then the same storage, retained
/// ```
///
/// A fixed table of `slotCount` entries indexed by a hash of the bytes; a new text replaces
/// whatever shared its slot, so memory stays bounded (the table and at most `slotCount`
/// strings). Texts of up to 15 bytes are built directly: Swift stores them inline without
/// allocating. One interner per decoder; not thread-safe.
final class StringInterner {
    private struct Slot {
        var hash: UInt64
        var string: String?
    }

    private static let slotCount = 4_096
    private let slots: UnsafeMutablePointer<Slot>

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(hash: 0, string: nil), count: Self.slotCount)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// The `String` of `count` bytes of valid UTF-8 at `bytes`.
    @inline(__always)
    func string(_ bytes: UnsafePointer<UInt8>, count: Int) -> String {
        // Small strings are inline anyway; long ones (error texts) are rarely repeated and
        // would hold up to a line's worth of memory per slot.
        if count <= 15 || count > Self.longestInterned {
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
        return interned(bytes, count: count)
    }

    /// Texts longer than this are not kept: the cache holds at most `slotCount` × 256 bytes.
    static let longestInterned = 256

    private func interned(_ bytes: UnsafePointer<UInt8>, count: Int) -> String {
        let hash = Self.hash(bytes, count: count)
        let slot = slots + Int(truncatingIfNeeded: hash & UInt64(Self.slotCount - 1))
        if slot.pointee.hash == hash, let string = slot.pointee.string {
            let same = string.utf8.withContiguousStorageIfAvailable { stored in
                stored.count == count && bytesEqual(stored.baseAddress!, bytes, count: count)
            }
            if same == true { return string }
        }
        let string = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        slot.pointee = Slot(hash: hash, string: string)
        return string
    }

    /// A 64-bit hash of the bytes, eight at a time (multiply and fold).
    @inline(__always)
    private static func hash(_ bytes: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(bytes)
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset &+ 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash &>> 32
            offset &+= 8
        }
        if offset < count {
            // The last eight bytes (overlapping what was hashed; count > 8 here).
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
            hash ^= hash &>> 29
        }
        return hash
    }
}
