import Dispatch
internal import Glibc

/// Dedicated OS threads for blocking work (read, decompress, decode, SQLite), outside Swift's
/// cooperative pool so that blocking I/O never starves async tasks.
package enum Threads {
    /// A started thread, to be joined once with ``join(_:)``.
    package struct Handle: @unchecked Sendable {
        fileprivate let thread: pthread_t
    }

    /// Runs `body` on a new thread; join it with ``join(_:)``.
    package static func start(_ body: @escaping @Sendable () -> Void) -> Handle {
        Handle(thread: create(body))
    }

    /// `pthread_join(3)`: waits until the thread's body has returned.
    package static func join(_ handle: Handle) {
        _ = pthread_join(handle.thread, nil)
    }

    /// Runs `body` on a new thread that nobody joins.
    package static func detach(_ body: @escaping @Sendable () -> Void) {
        pthread_detach(create(body))
    }

    private static func create(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed with \(rc)")
        return thread
    }
}

/// Runs `background` on a new thread while `foreground` runs on the calling thread, and returns
/// both results once both are done (the first error `background` threw is rethrown then).
///
/// ```swift
/// let (inserted, views) = try concurrently({ try insertRows() }, while: { computeViews() })
/// ```
/// The two closures must not touch the same mutable state: the caller hands `background` what
/// only it uses until this returns (here: the SQLite connection), which is what makes it safe.
package func concurrently<Background, Foreground>(
    _ background: () throws -> Background, while foreground: () -> Foreground
) throws -> (Background, Foreground) {
    try withoutActuallyEscaping(background) { background in
        var backgroundResult: Result<Background, any Error>?
        let body = ThreadBody { backgroundResult = Result { try background() } }
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            Unmanaged<ThreadBody>.fromOpaque(argument!).takeUnretainedValue().run()
            return nil
        }, Unmanaged.passUnretained(body).toOpaque())
        if started != 0 {
            // No thread to spare: one after the other on this thread.
            body.run()
        }
        let foregroundResult = foreground()
        if started == 0 { pthread_join(thread, nil) }
        return (try backgroundResult!.get(), foregroundResult)
    }
}

/// Calls `body` on every element of `values` at the same time, one call per thread
/// (`DispatchQueue.concurrentPerform`), and returns the results in order. Each call may touch
/// only its own element: that is what makes handing the elements to other threads safe.
package func mapConcurrently<Value, Result>(_ values: inout [Value], _ body: (inout Value) -> Result) -> [Result] {
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

/// What a thread runs: kept alive until the thread has run it.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Carries values that are not `Sendable` to threads that use them one at a time or disjointly.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
