import Hummingbird

/// With tokens configured, every request but `/healthz` needs `Authorization: Bearer TOKEN` or the
/// `tally_token` cookie; a page opened with `?token=TOKEN` gets the cookie (HttpOnly,
/// SameSite=Strict) and is sent to the same address without the token. Tokens are compared in
/// constant time; a missing or wrong one gets 401 with a JSON error.
struct TokenCheck<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "tally_token" }
    let tokens: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if tokens.isEmpty || request.uri.path == "/healthz" { return try await next(request, context) }
        if let header = request.headers[.authorization] {
            // The scheme is case-insensitive (RFC 9110 §11.1): `bearer TOKEN` is as good.
            guard header.prefix(7).lowercased() == "bearer ", ConstantTime.matchesAny(String(header.dropFirst(7)), tokens) else {
                return Self.refused("the Authorization header holds no valid bearer token")
            }
            return try await next(request, context)
        }
        let parameters = (try? QueryString.parse(request.uri.query)) ?? []
        if let given = parameters.last(where: { $0.0 == "token" })?.1 {
            guard ConstantTime.matchesAny(given, tokens) else { return Self.refused("?token= is not a valid token") }
            let rest = parameters.filter { $0.0 != "token" }
            let query = rest.map { QueryString.encode($0.0) + "=" + QueryString.encode($0.1) }.joined(separator: "&")
            var response = Response(status: .seeOther)
            // Always a path on this server: `//host/…` would send the browser elsewhere.
            let path = "/" + request.uri.path.drop { $0 == "/" }
            response.headers[.location] = path + (query.isEmpty ? "" : "?" + query)
            response.headers[.setCookie] = "\(Self.cookieName)=\(QueryString.encode(given)); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        if let cookie = Self.cookie(in: request) {
            guard ConstantTime.matchesAny(cookie, tokens) else { return Self.refused("the tally_token cookie is not a valid token") }
            return try await next(request, context)
        }
        return Self.refused("\(request.uri.path) needs a bearer token (Authorization: Bearer TOKEN)")
    }

    static func refused(_ message: String) -> Response {
        var response = Responses.error(.unauthorized, message)
        response.headers[.wwwAuthenticate] = "Bearer realm=\"tally\""
        return response
    }

    /// The `tally_token` value of the `Cookie` headers, decoded.
    static func cookie(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingWhitespace()
                guard pair.hasPrefix(cookieName + "=") else { continue }
                return try? QueryString.decode(pair.dropFirst(cookieName.count + 1))
            }
        }
        return nil
    }
}
