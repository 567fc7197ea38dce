import Hummingbird

/// `/api/v1/…`: each path is a `tally query` subject, its query parameters the command's flags
/// without dashes; the body is `tally query --format json`'s (http.md).
struct APIRoutes: Sendable {
    let answers: Answers
    /// Subjects the generic `/api/v1/{subject}` route does not take: they have routes of their own.
    static let ownRoutes: Set<String> = ["session", "summary", "events", "search", "stream"]
    /// Parameters that are the server's, never the query's (`snapshot` would name another directory).
    static let reserved: Set<String> = ["snapshot", "format", "help", "version", "token"]

    func add(to router: Router<ServeContext>) {
        let answers = answers
        router.get("/api/v1/summary") { request, _ -> Response in
            let options: [(String, String)]
            do { options = try Self.options(request) } catch { return Responses.error(error) }
            do {
                let (generation, text) = try await answers.text(QueryRequest("summary", options: options))
                return Responses.json(Self.withGeneration(text, generation))
            } catch {
                return Responses.error(error)
            }
        }
        router.get("/api/v1/sessions/:id") { request, context -> Response in
            guard let id = Self.pathParameter(context, "id") else { return Responses.error(.badRequest, "the session id is not valid %-encoded UTF-8") }
            do { return await answers.response(QueryRequest("session", arguments: [id], options: try Self.options(request)), connection: context.channel) } catch { return Responses.error(error) }
        }
        router.get("/api/v1/sessions/:id/events") { request, context -> Response in
            guard let id = Self.pathParameter(context, "id") else { return Responses.error(.badRequest, "the session id is not valid %-encoded UTF-8") }
            do {
                let options = try Self.options(request)
                if options.contains(where: { $0.0 == "session" }) {
                    return Responses.error(.badRequest, "unknown parameter 'session': the session is the one in the path")
                }
                return await answers.response(QueryRequest("events", options: options + [("session", id)]), connection: context.channel)
            } catch {
                return Responses.error(error)
            }
        }
        router.get("/api/v1/search") { request, context -> Response in
            do {
                guard let text = try QueryString.parse(request.uri.query).last(where: { $0.0 == "q" })?.1 else {
                    return Responses.error(.badRequest, "'search' needs a text: /api/v1/search?q=TEXT")
                }
                return await answers.response(QueryRequest("search", arguments: [text], options: try Self.options(request, dropping: ["q"])), connection: context.channel)
            } catch {
                return Responses.error(error)
            }
        }
        // `sessions` has a route of its own: `/api/v1/sessions/:id` makes it a constant of the trie.
        router.get("/api/v1/sessions") { request, context in await Self.subject("sessions", request, context, answers) }
        router.get("/api/v1/:subject") { request, context in
            await Self.subject(context.parameters.get("subject") ?? "", request, context, answers)
        }
    }

    /// `/api/v1/{subject}`: the subject of that name with the parameters as flags; 404 for a path
    /// that is no subject of `tally query`.
    static func subject(_ subject: String, _ request: Request, _ context: ServeContext, _ answers: Answers) async -> Response {
        guard !ownRoutes.contains(subject), !subject.isEmpty, subject.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return Responses.error(.notFound, "no such path \(request.uri.path)")
        }
        do {
            return await answers.response(QueryRequest(subject, options: try options(request)), connection: context.channel)
        } catch {
            return Responses.error(error)
        }
    }

    /// The query parameters as flags; reserved or malformed names are a 400 naming them.
    static func options(_ request: Request, dropping: Set<String> = []) throws(QueryFailure) -> [(String, String)] {
        var options: [(String, String)] = []
        for (name, value) in try QueryString.parse(request.uri.query) where !dropping.contains(name) {
            if name == "token" { continue }
            guard !reserved.contains(name), isFlagName(name) else {
                throw QueryFailure(.badRequest, "unknown parameter '\(name)'")
            }
            options.append((name, value))
        }
        return options
    }

    /// `status`, `max-rows`: lower-case words joined by single dashes.
    static func isFlagName(_ name: String) -> Bool {
        let words = name.split(separator: "-", omittingEmptySubsequences: false)
        return !words.isEmpty && words.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
            && !name.hasPrefix("experimental") && !name.hasPrefix("generate")
    }

    /// A path parameter, %-decoded.
    static func pathParameter(_ context: ServeContext, _ name: String) -> String? {
        guard let raw = context.parameters.get(name) else { return nil }
        return try? QueryString.decode(raw[...], plusIsSpace: false)
    }

    /// `{"generation":G,` + the summary's fields.
    static func withGeneration(_ summary: String, _ generation: Int64) -> String {
        guard summary.hasPrefix("{") else { return summary }
        let rest = summary.dropFirst()
        return "{\"generation\":\(generation)" + (rest.hasPrefix("}") ? "" : ",") + rest
    }
}
