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
        // A reader that takes long to be scheduled (a busy test run) must not look like a stalled client.
        let pipe = AnswerPipe(stallTimeout: .seconds(600))
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
        let writes = AnswerPipe(stallTimeout: .seconds(600))
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

    @Test func aReaderThatTakesNothingIsGivenUpAndItsWriterFreed() async {
        let pipe = AnswerPipe(stallTimeout: .milliseconds(200))
        let done = Self.write(AnswerPipe.depth + 10, into: pipe)
        // Nobody reads: the writer waits for room, gives up, and its thread is free again.
        done.wait()
        #expect(pipe.isCancelled)
        // A reader coming late finds the answer failed, not an end that looks complete.
        var sawFailure = false
        loop: while true {
            switch await pipe.next() {
            case .failure: sawFailure = true; break loop
            case .end: break loop
            default: continue
            }
        }
        #expect(sawFailure)
    }

    @Test func aPipeFreedWithPiecesNobodyTookDoesNotTrap() {
        // A client that resets its connection before the answer is sent: the writer has finished,
        // its pieces and end are queued, and nobody reads or cancels. Freeing the pipe used to trap
        // in libdispatch (a semaphore released below its starting value) and end the server.
        for _ in 0..<3 {
            var pipe: AnswerPipe? = AnswerPipe(stallTimeout: .seconds(600))
            Self.write(AnswerPipe.depth - 2, into: pipe!).wait()   // with its start and end: `depth` items
            pipe = nil
            #expect(pipe == nil)
        }
    }
}
