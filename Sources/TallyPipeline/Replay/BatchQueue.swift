import Dispatch
internal import DequeModule
import Synchronization

/// A bounded hand-over queue between decode threads and the one thread that folds:
/// producers block while `capacity` items wait, the consumer blocks while none do.
/// Items are whole batches (thousands of events), so the lock is taken per batch,
/// never per event.
final class BatchQueue<Item: Sendable>: Sendable {
    private let items = Mutex<Deque<Item>>([])
    private let freeSlots: DispatchSemaphore
    private let waiting = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        freeSlots = DispatchSemaphore(value: capacity)
    }

    func push(_ item: Item) {
        freeSlots.wait()
        items.withLock { $0.append(item) }
        waiting.signal()
    }

    func pop() -> Item {
        waiting.wait()
        let item = items.withLock { $0.removeFirst() }
        freeSlots.signal()
        return item
    }
}
