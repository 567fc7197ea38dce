/// A growable, manually managed byte buffer reused across frames (no per-frame allocation).
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Grows to at least `needed` bytes, keeping the first `keeping` bytes.
    func reserve(_ needed: Int, keeping: Int = 0) {
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity > Int.max / 2 ? needed : newCapacity * 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if keeping > 0 { fresh.copyMemory(from: base, byteCount: keeping) }
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }
}
