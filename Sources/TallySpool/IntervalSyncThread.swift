import Synchronization

internal import TallyPosix

/// The background thread of `fsync: .interval(d)`: runs `sync` every `period` (the writer
/// passes `d/2`) until ``stop()``. A pipe wakes it to stop at once.
final class IntervalSyncThread: Sendable {
    private let stopPipe: (read: Int32, write: Int32)
    private let thread: Mutex<Threads.Handle?>

    init(every period: Duration, sync: @escaping @Sendable () -> Void) throws(SpoolError) {
        let pipe = try io { try Posix.pipe() }
        stopPipe = pipe
        let periodMs = max(1, Int32(clamping: period.components.seconds * 1000 + period.components.attoseconds / 1_000_000_000_000_000))
        thread = Mutex(Threads.start {
            while !Posix.waitReadable(pipe.read, timeoutMilliseconds: periodMs) { sync() }
        })
    }

    deinit {
        stop()
        Posix.close(stopPipe.read)
        Posix.close(stopPipe.write)
    }

    /// Wakes the thread and waits until it has returned. Idempotent.
    func stop() {
        guard let handle = thread.withLock({ t -> Threads.Handle? in defer { t = nil }; return t }) else { return }
        var byte: UInt8 = 1
        _ = Posix.writeOnce(stopPipe.write, &byte, 1)
        Threads.join(handle)
    }
}
