#if canImport(Glibc)
import Glibc
#endif

/// Dedicated OS threads for blocking work (read, decompress, decode), outside Swift's
/// cooperative pool so that blocking I/O never starves async tasks.
enum Threads {
    /// Runs `body` on a new detached thread.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed with \(rc)")
        pthread_detach(thread)
    }
}

/// Finds the next newline fast (`memchr`).
@inline(__always)
func nextNewline(in base: UnsafeRawPointer, from start: Int, count: Int) -> Int {
    guard start < count, let hit = memchr(base + start, 0x0A, count - start) else { return count }
    return UnsafeRawPointer(hit) - base
}
