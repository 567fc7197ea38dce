internal import TallyPosix

/// Sleeps until something happens in a spool directory (a segment created, appended to,
/// sealed), another thread calls ``wake()``, or a timeout passes.
///
/// ```swift
/// let watcher = try SpoolWatcher(directory: "/var/spool/tally")
/// while running.load(ordering: .relaxed) {
///     readEverythingNew()
///     watcher.wait(timeout: .seconds(10))    // returns early on a change or wake()
/// }
/// // from any thread: stop.store(true, ordering: .relaxed); watcher.wake()
/// ```
///
/// On Linux it uses inotify (`IN_CREATE`, `IN_MODIFY`, `IN_MOVED_TO`, `IN_CLOSE_WRITE` on the
/// directory). A directory that does not exist yet is waited for by watching its nearest
/// existing parent for `IN_CREATE`/`IN_MOVED_TO`; nothing is created. Without inotify (or with
/// `useInotify: false`) it polls: ``wait(timeout:)`` returns at least every `pollInterval`.
/// Either way a sleeping thread costs no CPU. The wake-up is a pipe, so a ``wake()`` that
/// comes before ``wait(timeout:)`` is not lost.
///
/// ``wait(timeout:)`` must be called from one thread at a time; ``wake()`` from any thread.
/// The watching itself is TallyPosix's `DirectoryWatcher`.
public final class SpoolWatcher: @unchecked Sendable {
    private let watcher: DirectoryWatcher

    public var directory: String { watcher.directory }
    public var pollInterval: Duration { watcher.pollInterval }

    /// Whether changes are noticed through inotify (else by polling).
    public var usesInotify: Bool { watcher.usesInotify }

    public init(directory: String, pollInterval: Duration = .seconds(1), useInotify: Bool = true) throws(SpoolError) {
        watcher = try io { try DirectoryWatcher(directory: directory, pollInterval: pollInterval, useInotify: useInotify) }
    }

    /// Wakes a thread sleeping in ``wait(timeout:)`` (or makes its next call return at once).
    public func wake() { watcher.wake() }

    /// Sleeps until a change in the directory, a ``wake()`` or `timeout`; returns `true` when
    /// woken by a change or ``wake()``, `false` on timeout. Returns at once (with `true`) when
    /// the directory it watches changed: the spool appeared, or was removed.
    @discardableResult
    public func wait(timeout: Duration) -> Bool { watcher.wait(timeout: timeout) }
}
