internal import Glibc

/// Finds the next newline fast (`memchr`).
@inline(__always)
func nextNewline(in base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
    guard start < count, let hit = memchr(base + start, 0x0A, count - start) else { return count }
    return UnsafeRawPointer(hit) - base
}
