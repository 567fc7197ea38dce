import HTTPTypes
import Hummingbird

/// Adds `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, a Content-Security-Policy
/// that allows only the server's own scripts and styles, and no framing, to every response; turns
/// an unknown path into the JSON 404 of http.md and any other thrown error into a JSON 500.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = Responses.error(.notFound, "no such path \(request.uri.path)")
        } catch let error as HTTPError {
            response = Responses.error(error.status, error.body ?? "\(error.status.code) \(error.status.reasonPhrase)")
        } catch {
            response = Responses.error(.internalServerError, "\(request.uri.path): \(error)")
        }
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
