import Hummingbird
import NIOCore

/// What a request knows in `tally serve`: Hummingbird's core context and the connection it came
/// on (so that a request the server refuses can end its connection).
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Every path is read-only (`GET`), so a request that carries a body gets 413 and its connection
/// is closed a second later: a body sent a byte at a time would otherwise hold the connection
/// open (each byte counts as activity), as many as the client likes.
struct NoRequestBodies: RouterMiddleware {
    typealias Context = ServeContext

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        let length = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        guard length > 0 || request.headers[.transferEncoding] != nil else { return try await next(request, context) }
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        var response = Responses.error(.contentTooLarge, "tally serve takes no request bodies: every path is GET")
        response.headers[.connection] = "close"
        return response
    }
}
