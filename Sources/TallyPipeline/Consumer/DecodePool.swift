internal import DequeModule
internal import TallyPosix
import TallyCore

/// The live consumer's decode threads. The consumer thread reads frames and adds them here; they
/// go in batches of about 256 KiB to `workers` threads that decode them (parse, validate,
/// build the events and the dead-letter records), and come back to the consumer thread, which
/// folds them in the order it read them. The fold stays on the one thread that owns it, so what
/// it folds, and in which order, is what a single thread would have folded.
///
/// ```swift
/// let pool = DecodePool(workers: 2, maxLineBytes: 1 << 20)
/// pool.add(frameBytes, source: path, frame: ref) { batch in fold(batch) }   // folds as room is needed
/// pool.drain { batch in fold(batch) }   // before the cursor is committed: everything read is folded
/// pool.close()
/// ```
///
/// At most ``maxInFlight`` batches are read but not folded yet (memory stays bounded, and reading
/// waits for the oldest batch while they are all out). With no workers, each batch is decoded on
/// the consumer thread when it is full. Idle threads wait on a semaphore and use no CPU.
final class DecodePool {
    /// Content bytes after which a batch is sent to be decoded (by default).
    static let batchBytes = 256 << 10

    let workers: Int
    /// Content bytes after which a batch is sent to be decoded.
    let batchBytes: Int
    /// Frames after which a batch is sent, however small they are.
    let batchFrames: Int
    let maxInFlight: Int
    private let queue: BatchQueue<FrameBatch?>
    private var threads: [Threads.Handle] = []
    /// Sent to be decoded, oldest first.
    private var inFlight: Deque<FrameBatch> = []
    private var filling = FrameBatch()
    private var spare: [FrameBatch] = []
    /// Decodes on the consumer thread when there are no workers.
    private var inlineDecoder: EventDecoder

    init(workers: Int, maxLineBytes: Int, batchBytes: Int = DecodePool.batchBytes, batchFrames: Int = 256) {
        self.workers = max(0, workers)
        self.batchBytes = batchBytes
        self.batchFrames = batchFrames
        maxInFlight = max(2, 2 * self.workers)
        queue = BatchQueue(capacity: maxInFlight)
        inlineDecoder = EventDecoder(maxLineBytes: maxLineBytes, keepsUnfoldedText: false)
        for _ in 0..<self.workers {
            let queue = self.queue
            threads.append(Threads.start {
                // The events only feed the fold: texts it never reads are validated but not built.
                var decoder = EventDecoder(maxLineBytes: maxLineBytes, keepsUnfoldedText: false)
                while let batch = queue.pop() {
                    batch.decode(with: &decoder)
                    batch.decoded.signal()
                }
            })
        }
    }

    /// Adds a frame held whole. A full batch is sent to be decoded; decoded batches at the head of
    /// the line are folded (`fold`), and the oldest is waited for while ``maxInFlight`` are out.
    func add(_ bytes: UnsafeRawBufferPointer, source: String, frame: FrameRef, fold: (FrameBatch) -> Void) {
        filling.add(bytes, source: source, frame: frame)
        if filling.contentBytes >= batchBytes || filling.frameCount >= batchFrames {
            send(fold: fold)
        }
        foldDecoded(waiting: false, fold: fold)
    }

    /// Sends the batch being filled and folds every batch read so far, in order.
    func drain(fold: (FrameBatch) -> Void) {
        if !filling.isEmpty { send(fold: fold) }
        foldDecoded(waiting: true, fold: fold)
    }

    deinit { close() }

    /// Stops the threads once they have decoded what they hold (call after ``drain(fold:)``).
    func close() {
        for _ in threads { queue.push(nil) }
        for thread in threads { Threads.join(thread) }
        threads = []
    }

    private func send(fold: (FrameBatch) -> Void) {
        let batch = filling
        filling = spare.popLast() ?? FrameBatch()
        guard workers > 0 else {
            batch.decode(with: &inlineDecoder)
            finish(batch, fold: fold)
            return
        }
        if inFlight.count >= maxInFlight, let oldest = inFlight.popFirst() {
            oldest.decoded.wait()
            finish(oldest, fold: fold)
        }
        inFlight.append(batch)
        queue.push(batch)
    }

    /// Folds the decoded batches at the head of the line; with `waiting`, every batch in flight.
    private func foldDecoded(waiting: Bool, fold: (FrameBatch) -> Void) {
        while let oldest = inFlight.first {
            if waiting {
                oldest.decoded.wait()
            } else if oldest.decoded.wait(timeout: .now()) != .success {
                return
            }
            inFlight.removeFirst()
            finish(oldest, fold: fold)
        }
    }

    private func finish(_ batch: FrameBatch, fold: (FrameBatch) -> Void) {
        fold(batch)
        batch.clearFrames()
        spare.append(batch)
    }
}
