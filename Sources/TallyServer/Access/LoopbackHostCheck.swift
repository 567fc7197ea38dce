import Hummingbird

/// Without tokens the server listens on loopback only, and answers only requests whose `Host`
/// names a loopback address (`localhost`, `127.x.x.x`, `[::1]`, any port): a web page in a local
/// browser that points a name of its own at 127.0.0.1 (DNS rebinding) gets 403, not the sessions.
/// With tokens configured the token is the check, and any `Host` is answered.
struct LoopbackHostCheck<Context: RequestContext>: RouterMiddleware {
    let tokens: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard tokens.isEmpty, let authority = request.head.authority, !Self.isLoopback(authority: authority) else {
            return try await next(request, context)
        }
        return Responses.error(.forbidden, "Host \(authority) is not a loopback name; without a token only localhost is answered")
    }

    /// Whether `authority` (`host[:port]`) names the loopback interface.
    static func isLoopback(authority: String) -> Bool {
        // `host` and an optional `:port` of digits; an IPv6 address in brackets.
        let host: Substring
        let rest: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return false }
            host = authority[authority.index(after: authority.startIndex)..<close]
            rest = authority[authority.index(after: close)...]
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            rest = authority[colon...]
        } else {
            host = Substring(authority)
            rest = ""
        }
        guard rest.isEmpty || (rest.first == ":" && rest.count > 1 && rest.dropFirst().allSatisfy(\.isASCII) && UInt16(rest.dropFirst()) != nil)
        else { return false }
        if authority.hasPrefix("[") { return host == "::1" }
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
