import Foundation
import TallyTestSupport
import Testing
@testable import TallyServer

@Suite struct AnswerPipeTests {
    /// A writer produces an answer of `pieces` pieces of 64 KiB on its own thread, as a worker does;
    /// returns how many it produced before it stopped.
    static func write(_ pieces: Int, into pipe: AnswerPipe) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread {
            pipe.start(generation: 7)
            do throws(QueryFailure) {
                for _ in 0..<pieces { try pipe.add(String(repeating: "x", count: AnswerPipe.pieceSize)) }
                pipe.finish()
            } catch {
                pipe.fail(error)
            }
            done.signal()
        }.start()
        return done
    }

    @Test func aReaderGetsEveryPieceInOrderThenTheEnd() async {
        let pipe = AnswerPipe()
        let done = Self.write(20, into: pipe)
        var pieces = 0
        var generation: Int64 = 0
        loop: while true {
            switch await pipe.next() {
            case .started(let value): generation = value
            case .piece(let text): pieces += text.utf8.count / AnswerPipe.pieceSize
            case .failure(let failure): Issue.record("failed: \(failure)"); break loop
            case .end: break loop
            }
        }
        done.wait()
        #expect(generation == 7)
        #expect(pieces == 20)
    }

    @Test func aCancelledAnswerStopsItsWriterInsteadOfProducingTheRest() async {
        let writes = AnswerPipe()
        let producing = Box(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do {
                for _ in 0..<10_000 {
                    try writes.add(String(repeating: "x", count: AnswerPipe.pieceSize))
                    producing.value += 1
                }
            } catch {}
            done.signal()
        }.start()
        // The client reads one piece and goes away.
        if case .piece = await writes.next() {} else { Issue.record("no first piece") }
        writes.cancel()
        done.wait()
        // The writer is at most the pipe's depth ahead of the reader when it is cancelled.
        #expect(producing.value <= AnswerPipe.depth + 2, "the writer produced \(producing.value) pieces after the client left")
    }
}
