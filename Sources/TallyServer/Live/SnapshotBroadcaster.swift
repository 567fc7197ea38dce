import ServiceLifecycle
import Synchronization
internal import TallyPosix
import TallySnapshot

/// Watches the snapshot directory (inotify, TallyPosix's `DirectoryWatcher`) and tells every
/// `/api/v1/stream` client of each newer snapshot, as the SSE event
/// `event: snapshot` / `data: {"generation":G,"summary":{…}}`, and sends a comment line every
/// 15 s. A `Service`: on graceful shutdown it ends every stream, so the server can drain.
///
/// At most ``maxSubscribers`` streams at once; each buffers at most 4 messages (a client that
/// does not read loses the oldest, never the server's memory).
final class SnapshotBroadcaster: Service, Sendable {
    struct Message: Sendable {
        /// `nil` for the keep-alive comment.
        var generation: Int64?
        var text: String
    }

    static let maxSubscribers = 256
    static let keepAlive = Duration.seconds(15)

    private let answers: Answers
    private let snapshot: String
    private let watcher: DirectoryWatcher
    private struct State {
        var subscribers: [Int: AsyncStream<Message>.Continuation] = [:]
        var nextID = 0
        var closed = false
        var lastGeneration: Int64 = -1
    }
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)

    init(answers: Answers, snapshot: String) throws(ServerError) {
        self.answers = answers
        self.snapshot = snapshot
        do {
            watcher = try DirectoryWatcher(directory: snapshot)
        } catch {
            throw ServerError(code: .failed, message: "cannot watch \(snapshot): \(error)")
        }
    }

    /// A new stream, or `nil` when there are too many or the server is stopping.
    func subscribe() -> (id: Int, messages: AsyncStream<Message>)? {
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(4))
        let id: Int? = state.withLock { state in
            guard !state.closed, state.subscribers.count < Self.maxSubscribers else { return nil }
            state.nextID += 1
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else { return nil }
        return (id, stream)
    }

    func unsubscribe(_ id: Int) {
        state.withLock { $0.subscribers.removeValue(forKey: id) }?.finish()
    }

    /// The SSE event for a snapshot: `data` is `{"generation":G,"summary":<tally query summary>}`.
    func currentMessage() async -> Message? {
        guard let (generation, summary) = try? await answers.text(QueryRequest("summary")) else { return nil }
        return Self.message(generation, summary)
    }

    static func message(_ generation: Int64, _ summary: String) -> Message {
        let data = "{\"generation\":\(generation),\"summary\":\(summary.trimmingNewlines())}"
        return Message(generation: generation, text: "event: snapshot\ndata: \(data)\n\n")
    }

    func run() async throws {
        let thread = Threads.start { [self] in watch() }
        try? await gracefulShutdown()
        stopping.store(true, ordering: .relaxed)
        watcher.wake()
        let subscribers = state.withLock { state in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
        Threads.join(thread)
    }

    /// The watching thread: on each change, a newer manifest name means a commit.
    private func watch() {
        var newest = newestManifest()
        while !stopping.load(ordering: .relaxed) {
            let changed = watcher.wait(timeout: Self.keepAlive)
            if stopping.load(ordering: .relaxed) { return }
            guard changed else {
                send(Message(generation: nil, text: ": keep-alive\n\n"))
                continue
            }
            let now = newestManifest()
            guard now > newest else { continue }
            newest = now
            if let (generation, summary) = try? answers.blockingText(QueryRequest("summary")) {
                send(Self.message(generation, summary))
            }
        }
    }

    private func send(_ message: Message) {
        let subscribers = state.withLock { state -> [AsyncStream<Message>.Continuation] in
            if let generation = message.generation {
                guard generation > state.lastGeneration else { return [] }
                state.lastGeneration = generation
            }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(message) }
    }

    /// The highest generation among the directory's manifest names (-1 for none).
    private func newestManifest() -> Int64 {
        SnapshotDirectory(snapshot).newestManifest()?.generation ?? -1
    }
}

extension String {
    func trimmingNewlines() -> Substring {
        var text = self[...]
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
