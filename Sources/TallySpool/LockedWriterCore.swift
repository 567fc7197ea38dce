import Synchronization

/// A writer's ``WriterCore`` behind the mutex that serializes its batches; shared by the
/// ``SpoolWriter`` and its ``IntervalSyncThread``.
final class LockedWriterCore: Sendable {
    private let mutex: Mutex<WriterCore>

    init(_ core: sending WriterCore) {
        mutex = Mutex(core)
    }

    func withLock<Result, Failure: Error>(_ body: (WriterCore) throws(Failure) -> sending Result) throws(Failure) -> sending Result {
        try mutex.withLock { core throws(Failure) -> sending Result in try body(core) }
    }
}
