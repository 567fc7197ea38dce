internal import Glibc

/// Sleeps until something happens in a directory, another thread calls ``wake()``, or a timeout
/// passes: the one inotify watcher (the spool's `SpoolWatcher`, `tally serve`'s snapshot watch).
///
/// ```swift
/// let watcher = try DirectoryWatcher(directory: "/var/tally/snapshots")
/// while running.load(ordering: .relaxed) {
///     lookAgain()
///     watcher.wait(timeout: .seconds(10))    // returns early on a change or wake()
/// }
/// // from any thread: stop.store(true, ordering: .relaxed); watcher.wake()
/// ```
///
/// With inotify it watches the directory for `IN_CREATE`, `IN_MODIFY`, `IN_MOVED_TO` and
/// `IN_CLOSE_WRITE`. A directory that does not exist yet is waited for by watching its nearest
/// existing parent for `IN_CREATE`/`IN_MOVED_TO`; nothing is created. Without inotify (or with
/// `useInotify: false`) it polls: ``wait(timeout:)`` returns at least every `pollInterval`.
/// Either way a sleeping thread costs no CPU. The wake-up is a pipe, so a ``wake()`` that
/// comes before ``wait(timeout:)`` is not lost.
///
/// ``wait(timeout:)`` must be called from one thread at a time; ``wake()`` from any thread.
package final class DirectoryWatcher: @unchecked Sendable {
    package let directory: String
    package let pollInterval: Duration
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// The inotify descriptor, -1 when polling.
    private let inotify: Int32
    /// The watched directory and its watch descriptor (only the waiting thread touches it).
    private var watched: (path: String, descriptor: Int32)?
    private var events = [UInt8](repeating: 0, count: 16 << 10)

    /// Whether changes are noticed through inotify (else by polling).
    package var usesInotify: Bool { inotify >= 0 }

    package init(directory: String, pollInterval: Duration = .seconds(1), useInotify: Bool = true) throws(SystemError) {
        self.directory = directory
        self.pollInterval = pollInterval
        (wakeRead, wakeWrite) = try Posix.pipe()
        Posix.setNonBlocking(wakeRead)
        Posix.setNonBlocking(wakeWrite)
        inotify = useInotify ? Posix.inotifyInit() : -1
    }

    deinit {
        Posix.close(wakeRead)
        Posix.close(wakeWrite)
        if inotify >= 0 { Posix.close(inotify) }
    }

    /// Wakes a thread sleeping in ``wait(timeout:)`` (or makes its next call return at once).
    package func wake() {
        var byte: UInt8 = 1
        _ = Posix.writeOnce(wakeWrite, &byte, 1)
    }

    /// Sleeps until a change in the directory, a ``wake()`` or `timeout`; returns `true` when
    /// woken by a change or ``wake()``, `false` on timeout. Returns at once (with `true`) when
    /// the directory it watches changed: the directory appeared, or was removed.
    @discardableResult
    package func wait(timeout: Duration) -> Bool {
        if inotify >= 0 && rearm() { return true }
        var limit = timeout
        if inotify < 0 { limit = min(limit, pollInterval) }
        let milliseconds = max(0, min(Int64(Int32.max), limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000))
        let woken = Posix.waitReadable([wakeRead, inotify], timeoutMilliseconds: Int32(milliseconds))
        guard woken else { return false }
        drainWakeups()
        if inotify >= 0 { drainEvents() }
        return true
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while Posix.readOnce(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// Reads the queued inotify events; forgets the watch when the kernel dropped it (`IN_IGNORED`).
    private func drainEvents() {
        while true {
            let count = events.withUnsafeMutableBytes { Posix.readOnce(inotify, $0.baseAddress!, $0.count) }
            guard count > 0 else { return }
            var offset = 0
            while offset + 16 <= count {
                let (descriptor, mask, nameLength) = events.withUnsafeBytes { buffer in
                    (buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                     buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                }
                if mask & UInt32(IN_IGNORED) != 0, descriptor == watched?.descriptor { watched = nil }
                offset += 16 + Int(nameLength)
            }
        }
    }

    /// Points the watch at the directory, or at its nearest existing parent while it does not
    /// exist. Returns `true` when the target changed (the caller should look again).
    private func rearm() -> Bool {
        var target = directory
        var isTarget = true
        while (try? Posix.stat(target))?.isDirectory != true {
            let parent = FileOperations.parentDirectory(of: target)
            if parent == target { break }
            target = parent
            isTarget = false
        }
        if watched?.path == target { return false }
        if let old = watched { Posix.inotifyRemoveWatch(inotify, old.descriptor) }
        let mask: UInt32 = isTarget
            ? UInt32(IN_CREATE | IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
            : UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
        let descriptor = Posix.inotifyAddWatch(inotify, target, mask)
        watched = descriptor >= 0 ? (target, descriptor) : nil
        return true
    }
}
