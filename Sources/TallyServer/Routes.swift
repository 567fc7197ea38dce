import Hummingbird
import TallyCore

/// Every path the server answers: `/healthz`, `/metrics`, `/api/v1/…`, `/api/v1/stream`, the
/// dashboard and its two assets; behind the token check and the security headers.
struct Routes: Sendable {
    let answers: Answers
    let broadcaster: SnapshotBroadcaster
    let tokens: [String]

    func router() -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        router.add(middleware: SecurityHeaders())
        router.add(middleware: NoRequestBodies())
        router.add(middleware: LoopbackHostCheck(tokens: tokens))
        router.add(middleware: TokenCheck(tokens: tokens))
        let answers = answers, broadcaster = broadcaster

        router.get("/healthz") { _, _ -> Response in
            do {
                let (generation, _) = try await answers.text(QueryRequest("summary"))
                return Responses.text("ok generation \(generation)\n")
            } catch {
                return Responses.text("unavailable: \((error as? QueryFailure)?.message ?? "\(error)")\n", status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ -> Response in
            do {
                let (generation, summary) = try await answers.value(QueryRequest("summary"))
                let (_, models) = try await answers.value(QueryRequest("models"))
                let (_, tools) = try await answers.value(QueryRequest("tools"))
                let text = SnapshotMetrics.render(generation: generation, summary: summary, models: models, tools: tools)
                return Responses.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
            } catch {
                return Responses.error(error)
            }
        }
        router.get("/api/v1/stream") { _, _ -> Response in
            guard let (id, messages) = broadcaster.subscribe() else {
                return Responses.error(.serviceUnavailable, "too many live streams open (at most \(SnapshotBroadcaster.maxSubscribers)) or the server is stopping")
            }
            let first = await broadcaster.currentMessage()
            let body = ResponseBody { writer in
                defer { broadcaster.unsubscribe(id) }
                var sent: Int64 = -1
                if let first {
                    try await writer.write(ByteBuffer(string: first.text))
                    sent = first.generation ?? -1
                }
                for await message in messages {
                    if let generation = message.generation {
                        if generation <= sent { continue }
                        sent = generation
                    }
                    try await writer.write(ByteBuffer(string: message.text))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: body)
        }
        APIRoutes(answers: answers).add(to: router)
        Pages(answers: answers).add(to: router)
        return router
    }
}
