import Dispatch
import Synchronization

/// Hands the pieces of an answer from the worker thread that writes it to the task that sends
/// it, at most ``depth`` pieces (of about ``pieceSize`` bytes) ahead: a 1 GB answer (every
/// session, `limit=0`) streams through a few hundred KB of memory. A client that goes away
/// ``cancel()``s it; the writer's next ``add(_:)`` then throws and the answer stops.
///
/// ```swift
/// let pipe = AnswerPipe()
/// worker { pipe.start(generation: run.generation); try run.write(pipe.add); pipe.finish() }
/// while case .piece(let text) = await pipe.next() { … }
/// ```
final class AnswerPipe: Sendable {
    enum Item: Sendable {
        case started(generation: Int64)
        case piece(String)
        case failure(QueryFailure)
        case end
    }

    static let depth = 4
    static let pieceSize = 64 << 10
    /// How long a writer waits for the reader to take a piece before it gives the answer up, so
    /// that clients which stop reading hold a worker thread at most this long (15 s).
    let stallTimeout: DispatchTimeInterval

    init(stallTimeout: DispatchTimeInterval = .seconds(15)) {
        self.stallTimeout = stallTimeout
    }

    static let stalled = QueryFailure(.failed, "the client took nothing of the answer for too long")

    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<Item, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: AnswerPipe.depth)
    /// The writer's unsent text (only the writer's thread touches it).
    private let pending = Mutex("")

    /// Whether the reader went away (or was given up): the writer may stop.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Writer side: the snapshot is open.
    func start(generation: Int64) { put(.started(generation: generation)) }

    /// Writer side: a piece of the answer, sent once ``pieceSize`` bytes gathered. Throws once
    /// the reader has cancelled, so that the writer stops working on an answer nobody reads.
    func add(_ text: String) throws(QueryFailure) {
        if isCancelled { throw QueryFailure(.failed, "the client went away") }
        let full: String? = pending.withLock { buffer in
            buffer += text
            guard buffer.utf8.count >= Self.pieceSize else { return nil }
            defer { buffer = "" }
            return buffer
        }
        if let full { put(.piece(full)) }
    }

    /// Writer side: the answer is complete.
    func finish() {
        let rest = pending.withLock { buffer in
            defer { buffer = "" }
            return buffer
        }
        if !rest.isEmpty { put(.piece(rest)) }
        put(.end)
    }

    /// Writer side: no answer, or none beyond what was sent.
    func fail(_ failure: QueryFailure) { put(.failure(failure)) }

    /// Reader side: the next item, waiting for it.
    func next() async -> Item {
        await withCheckedContinuation { continuation in
            let item: Item? = state.withLock { state in
                if state.items.isEmpty {
                    state.waiter = continuation
                    return nil
                }
                return state.items.removeFirst()
            }
            if let item {
                space.signal()
                continuation.resume(returning: item)
            }
        }
    }

    /// Writer side: the reader took no piece for `stallTimeout` (a client that does not read):
    /// the answer ends with a failure for the reader, and the writer's thread is free again.
    private func abandon() {
        let waiter: CheckedContinuation<Item, Never>? = state.withLock { state in
            state.cancelled = true
            state.items = [.failure(Self.stalled)]
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .failure(Self.stalled))
    }

    deinit {
        // A semaphore freed below its starting value traps (libdispatch), and a pipe may go with
        // pieces nobody took: a client that reset the connection before its answer was sent.
        // Nothing can wait on it any more; give the room back.
        for _ in 0...Self.depth { space.signal() }
    }

    /// Reader side: nothing more is wanted; a waiting writer goes on at once.
    func cancel() {
        state.withLock { $0.cancelled = true }
        for _ in 0...Self.depth { space.signal() }
    }

    private func put(_ item: Item) {
        if state.withLock({ $0.cancelled }) { return }
        guard space.wait(timeout: .now() + stallTimeout) == .success else {
            abandon()
            return
        }
        let waiter: CheckedContinuation<Item, Never>? = state.withLock { state in
            if state.cancelled { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.items.append(item)
            return nil
        }
        if let waiter {
            space.signal()
            waiter.resume(returning: item)
        }
    }
}
