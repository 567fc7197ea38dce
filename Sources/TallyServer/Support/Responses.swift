import Hummingbird
import TallyCore

/// The responses every route builds: JSON, HTML, text, and the JSON error of http.md.
enum Responses {
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(text, contentType: "application/json", status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(text, contentType: "text/html; charset=utf-8", status: status)
    }

    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok) -> Response {
        body(text, contentType: contentType, status: status)
    }

    /// `{"error": "…"}`: one line that says what and where.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(JSONValue.object([("error", .string(message))]).serialized() + "\n", status: status)
    }

    /// The status for a failed query: 400 bad parameter, 404 unknown subject or session, 503 no snapshot.
    static func status(for failure: QueryFailure) -> HTTPResponse.Status {
        switch failure.code {
        case .badRequest: .badRequest
        case .unknownSubject, .notFound: .notFound
        case .noSnapshot: .serviceUnavailable
        default: .internalServerError
        }
    }

    static func error(_ error: any Error) -> Response {
        self.error(error as? QueryFailure ?? QueryFailure(.failed, "\(error)"))
    }

    static func error(_ failure: QueryFailure) -> Response {
        error(status(for: failure), failure.message)
    }

    private static func body(_ text: String, contentType: String, status: HTTPResponse.Status) -> Response {
        let buffer = ByteBuffer(string: text)
        return Response(
            status: status, headers: [.contentType: contentType, .contentLength: String(buffer.readableBytes)],
            body: ResponseBody(byteBuffer: buffer))
    }
}
