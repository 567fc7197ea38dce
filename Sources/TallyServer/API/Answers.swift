import Hummingbird
import NIOCore
import NIOPosix
import TallyCore

/// Runs ``QueryRequest``s on worker threads (never on an event loop) against the newest
/// complete snapshot, for the API (streamed as JSON) and for the pages (parsed).
struct Answers: Sendable {
    let answering: any QueryAnswering
    let snapshot: String
    let pool: NIOThreadPool

    /// Starts `request` on a worker; the pipe gets its pieces.
    private func start(_ request: QueryRequest) -> AnswerPipe {
        let pipe = AnswerPipe()
        let answering = answering, snapshot = snapshot
        pool.submit { state in
            guard case .active = state else {
                pipe.fail(QueryFailure(.failed, "the server is shutting down"))
                return
            }
            do {
                let run = try answering.open(request, snapshot: snapshot)
                pipe.start(generation: run.generation)
                try run.write(pipe.add, cancelled: { pipe.isCancelled })
                pipe.finish()
            } catch {
                pipe.fail(error as? QueryFailure ?? QueryFailure(.failed, "\(error)"))
            }
        }
        return pipe
    }

    /// The whole answer as text, on the calling thread (a worker's, never an event loop's).
    func blockingText(_ request: QueryRequest) throws(QueryFailure) -> (generation: Int64, text: String) {
        let run = try answering.open(request, snapshot: snapshot)
        let text = TextBox()
        try run.write({ text.value += $0 }, cancelled: { false })
        return (run.generation, text.value)
    }

    /// The whole answer as text, with its generation.
    func text(_ request: QueryRequest) async throws(QueryFailure) -> (generation: Int64, text: String) {
        let pipe = start(request)
        var generation: Int64 = 0
        var text = ""
        while true {
            switch await pipe.next() {
            case .started(let value): generation = value
            case .piece(let piece): text += piece
            case .failure(let failure): throw failure
            case .end: return (generation, text)
            }
        }
    }

    /// The answer parsed, for pages.
    func value(_ request: QueryRequest) async throws(QueryFailure) -> (generation: Int64, value: JSONValue) {
        let (generation, text) = try await text(request)
        return (generation, try Self.parse(text, of: request))
    }

    static func parse(_ text: String, of request: QueryRequest) throws(QueryFailure) -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw QueryFailure(.failed, "the answer to '\(request.subject)' is not JSON: \(error)")
        }
    }

    /// The API's answer: `tally query --format json`'s bytes, streamed past the first piece,
    /// or the JSON error with its status.
    func response(_ request: QueryRequest, connection: (any Channel)? = nil) async -> Response {
        let pipe = start(request)
        // A client that goes away before the first pieces (a search prints only once it has
        // scanned) cancels the answer through its connection's end.
        connection?.closeFuture.whenComplete { [weak pipe] _ in pipe?.cancel() }
        var head: [String] = []
        loop: while true {
            switch await pipe.next() {
            case .started: continue
            case .failure(let failure):
                if head.isEmpty { return Responses.error(failure) }
                // Cut short after the first piece: the client sees a broken body, never a short valid one.
                let start = head
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                    for piece in start { try await writer.write(ByteBuffer(string: piece)) }
                    throw failure
                })
            case .end: return Responses.json(head.joined())
            case .piece(let piece):
                head.append(piece)
                if head.count == 2 { break loop }
            }
        }
        // More than one piece: stream the rest (chunked), a few pieces ahead of the client.
        let start = head
        let body = ResponseBody { writer in
            var finished = false
            defer { if !finished { pipe.cancel() } }
            for piece in start { try await writer.write(ByteBuffer(string: piece)) }
            while true {
                switch await pipe.next() {
                case .piece(let piece): try await writer.write(ByteBuffer(string: piece))
                case .started: continue
                case .failure(let failure):
                    finished = true
                    throw failure
                case .end:
                    finished = true
                    try await writer.finish(nil)
                    return
                }
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }
}

private final class TextBox: @unchecked Sendable {
    var value = ""
}
