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

    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<Item, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: AnswerPipe.depth)
    /// The writer's unsent text (only the writer's thread touches it).
    private let pending = Mutex("")

    /// Writer side: the snapshot is open.
    func start(generation: Int64) { put(.started(generation: generation)) }

    /// Writer side: a piece of the answer, sent once ``pieceSize`` bytes gathered. Throws once
    /// the reader has cancelled, so that the writer stops working on an answer nobody reads.
    func add(_ text: String) throws(QueryFailure) {
        if state.withLock({ $0.cancelled }) { throw QueryFailure(.failed, "the client went away") }
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

    /// Reader side: nothing more is wanted; a waiting writer goes on at once.
    func cancel() {
        state.withLock { $0.cancelled = true }
        for _ in 0...Self.depth { space.signal() }
    }

    private func put(_ item: Item) {
        if state.withLock({ $0.cancelled }) { return }
        space.wait()
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
