import Dispatch
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

/// Calls `body` on every element of `values` at the same time, one call per thread
/// (`DispatchQueue.concurrentPerform`), and returns the results in order. Each call may touch
/// only its own element: that is what makes handing the elements to other threads safe.
func mapConcurrently<Value, Result>(_ values: inout [Value], _ body: (inout Value) -> Result) -> [Result] {
    var results = [Result?](repeating: nil, count: values.count)
    values.withUnsafeMutableBufferPointer { values in
        results.withUnsafeMutableBufferPointer { results in
            withoutActuallyEscaping(body) { body in
                let shared = UncheckedSendable(value: (values, results, body))
                DispatchQueue.concurrentPerform(iterations: values.count) { index in
                    let (values, results, body) = shared.value
                    results[index] = body(&values[index])
                }
            }
        }
    }
    return results.map { $0! }
}

/// Carries values that are not `Sendable` to threads that use them one at a time or disjointly.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
