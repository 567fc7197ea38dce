import Synchronization
import TallyPosix
import TallyServer
import TallySnapshot

/// What ``QueryCommandAnswering`` keeps between requests, for the newest snapshot only: open
/// readers (each holds its SQLite read transaction, so a request borrows one for itself), the
/// parsed queries, and the complete answers of at most ``maxAnswerBytes``.
///
/// ```swift
/// let mark = ServeCache.newest(in: directory)            // a readdir and a stat, each request
/// if let text = cache.answer(request, snapshot: directory, mark: mark) { … }
/// let lease = try cache.reader(snapshot: directory, mark: mark)   // back to the pool on deinit
/// ```
///
/// Every entry belongs to one ``Mark`` (the newest manifest's name and file identity): the first
/// request that finds a newer manifest drops them all, so a commit is served as soon as it is
/// listed, and an answer is never served for a snapshot other than its own. Bounded: at most
/// ``maxIdleReaders`` readers, ``maxCachedBytes`` of answers and ``maxQueries`` parsed queries.
final class ServeCache: Sendable {
    /// The newest `snapshot-<generation>.json` in the directory, and which file it is.
    struct Mark: Hashable, Sendable {
        var generation: Int64
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedAt: Int64
    }

    struct Key: Hashable, Sendable {
        var snapshot: String
        var request: QueryRequest
    }

    static let maxIdleReaders = 8
    static let maxAnswerBytes = 256 << 10
    static let maxCachedBytes = 8 << 20
    static let maxQueries = 512

    private struct Answer {
        var generation: Int64
        var text: String
    }

    private struct State {
        var mark: Mark?
        var readers: [(snapshot: String, reader: ReaderBox)] = []
        var answers: [Key: Answer] = [:]
        /// Answer keys, oldest first: the first to go when ``maxCachedBytes`` would pass.
        var order: [Key] = []
        var bytes = 0
        /// Parsed snapshot queries: they depend on the request only, never on the snapshot.
        var queries: [Key: SnapshotQuery] = [:]

        /// Drops whatever belongs to another mark; the readers dropped are returned, to close
        /// outside the lock.
        mutating func enter(_ newest: Mark) -> [ReaderBox] {
            guard mark != newest else { return [] }
            mark = newest
            defer { readers = [] }
            answers = [:]
            order = []
            bytes = 0
            return readers.map(\.reader)
        }
    }

    private let state = Mutex(State())

    /// The newest manifest by name in `directory`, `nil` when none is listed (or it is gone by the stat).
    static func newest(in directory: String) -> Mark? {
        guard let (generation, name) = SnapshotDirectory(directory).newestManifest(), let status = (try? Posix.stat(FileOperations.join(directory, name))) ?? nil else { return nil }
        return Mark(generation: generation, device: status.device, inode: status.inode, size: status.size, modifiedAt: status.modifiedAt)
    }

    /// The answer kept for `request` under `mark`.
    func answer(_ request: QueryRequest, snapshot: String, mark: Mark) -> (generation: Int64, text: String)? {
        // The dropped readers close here, after the lock.
        let (answer, _) = state.withLock { state in
            let dropped = state.enter(mark)
            return (state.answers[Key(snapshot: snapshot, request: request)].map { ($0.generation, $0.text) }, dropped)
        }
        return answer
    }

    /// Keeps a complete answer of the snapshot `mark` names (of at most ``maxAnswerBytes``).
    func keep(_ text: String, generation: Int64, for request: QueryRequest, snapshot: String, mark: Mark) {
        let size = text.utf8.count
        guard size <= Self.maxAnswerBytes, generation == mark.generation else { return }
        state.withLock { state in
            guard state.mark == mark else { return }
            let key = Key(snapshot: snapshot, request: request)
            guard state.answers[key] == nil else { return }
            while state.bytes + size > Self.maxCachedBytes, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.answers.removeValue(forKey: oldest)?.text.utf8.count ?? 0
            }
            state.answers[key] = Answer(generation: generation, text: text)
            state.order.append(key)
            state.bytes += size
        }
    }

    /// The query `request` parsed to before.
    func query(_ request: QueryRequest, snapshot: String) -> SnapshotQuery? {
        state.withLock { $0.queries[Key(snapshot: snapshot, request: request)] }
    }

    /// Keeps what `request` parsed to.
    func keep(_ query: SnapshotQuery, for request: QueryRequest, snapshot: String) {
        state.withLock { state in
            if state.queries.count >= Self.maxQueries { state.queries = [:] }
            state.queries[Key(snapshot: snapshot, request: request)] = query
        }
    }

    /// An open reader of the newest snapshot: an idle one of `mark`'s, or a new one. A reader
    /// that opened another generation (a commit since the listing) answers once and is closed.
    func reader(snapshot: String, mark: Mark?) throws -> ReaderLease {
        if let mark {
            let (idle, _): (ReaderBox?, [ReaderBox]) = state.withLock { state in
                let dropped = state.enter(mark)
                guard let index = state.readers.lastIndex(where: { $0.snapshot == snapshot }) else { return (nil, dropped) }
                return (state.readers.remove(at: index).reader, dropped)
            }
            if let idle { return ReaderLease(idle, snapshot: snapshot, mark: mark, cache: self) }
        }
        let box = ReaderBox(try SnapshotReader(path: snapshot))
        let reusable = mark.flatMap { box.reader.generation == $0.generation ? $0 : nil }
        return ReaderLease(box, snapshot: snapshot, mark: reusable, cache: reusable == nil ? nil : self)
    }

    fileprivate func giveBack(_ box: ReaderBox, snapshot: String, mark: Mark) {
        state.withLock { state in
            guard state.mark == mark, state.readers.count < Self.maxIdleReaders else { return }
            state.readers.append((snapshot, box))
        }
    }
}

/// One open ``SnapshotReader``, used by one thread at a time (its SQLite connection is not
/// thread-safe): the pool hands it to one request, which gives it back when done.
final class ReaderBox: @unchecked Sendable {
    let reader: SnapshotReader
    init(_ reader: SnapshotReader) { self.reader = reader }
}

/// A reader borrowed for one request; back in the pool when the request lets go of it.
final class ReaderLease {
    let box: ReaderBox
    /// The mark the reader's snapshot is the newest of; `nil`: neither pooled nor cached.
    let mark: ServeCache.Mark?
    private let snapshot: String
    private let cache: ServeCache?

    var reader: SnapshotReader { box.reader }

    fileprivate init(_ box: ReaderBox, snapshot: String, mark: ServeCache.Mark?, cache: ServeCache?) {
        self.box = box
        self.snapshot = snapshot
        self.mark = mark
        self.cache = cache
    }

    deinit {
        if let cache, let mark { cache.giveBack(box, snapshot: snapshot, mark: mark) }
    }
}
