#if canImport(Glibc)
internal import Glibc
#endif

/// Runs `background` on a new thread while `foreground` runs on the calling thread, and returns
/// both results once both are done (the first error `background` threw is rethrown then).
///
/// ```swift
/// let (inserted, views) = try concurrently({ try insertRows() }, while: { computeViews() })
/// ```
/// The two closures must not touch the same mutable state: the caller hands `background` what
/// only it uses until this returns (here: the SQLite connection), which is what makes it safe.
func concurrently<Background, Foreground>(
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

/// What a thread runs: kept alive by the caller until the thread is joined.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
