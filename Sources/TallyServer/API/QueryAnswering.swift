package import TallyPosix

/// One question for `tally query`: its subject, the words after it and its flags, as the
/// command line takes them (`session ID`, `--status FAILED`). The server asks; the command
/// line's own code answers, so every JSON body is `tally query --format json`'s output.
///
/// ```swift
/// let request = QueryRequest("sessions", options: [("status", "FAILED"), ("limit", "20")])
/// let run = try answering.open(request, snapshot: "/var/tally/snapshots")
/// try run.write { chunk in … }
/// ```
package struct QueryRequest: Sendable, Hashable {
    package struct Option: Sendable, Hashable {
        /// The flag without its dashes: `status`.
        package var name: String
        package var value: String
        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The subject as `tally query` names it: `summary`, `sessions`, `session`, …
    package var subject: String
    /// The words after the subject: a session id, a search text.
    package var arguments: [String]
    package var options: [Option]

    package init(_ subject: String, arguments: [String] = [], options: [(String, String)] = []) {
        self.subject = subject
        self.arguments = arguments
        self.options = options.map { Option($0.0, $0.1) }
    }
}

/// Why a query has no answer, in the words `tally query` uses.
package typealias QueryFailure = CodedError<QueryFailureDomain>

/// The domain of ``QueryFailure``'s codes.
package enum QueryFailureDomain {}

extension ErrorCode where Domain == QueryFailureDomain {
    /// A flag or its value is wrong (HTTP 400, exit 2).
    package static let badRequest = Self("bad-request")
    /// `tally query` has no such subject (HTTP 404).
    package static let unknownSubject = Self("unknown-subject")
    /// An unknown session id (HTTP 404, exit 3).
    package static let notFound = Self("not-found")
    /// No usable snapshot yet (HTTP 503, exit 4).
    package static let noSnapshot = Self("no-snapshot")
    /// Anything else: a damaged snapshot, an I/O error (HTTP 500, exit 1).
    package static let failed = Self("failed")
}

extension QueryFailure where Domain == QueryFailureDomain {
    package init(_ code: Code, _ message: String) {
        self.init(code: code, message: message)
    }
}

/// A query that parsed and found its snapshot: ``write(_:)`` prints the JSON in pieces.
package protocol QueryRun {
    /// The generation of the snapshot the answer comes from.
    var generation: Int64 { get }
    /// Prints the answer as `tally query --format json` prints it; may fail before the first piece.
    /// When `sink` throws (the client went away), the answer stops there and `write` fails; work
    /// that gathers before it prints (a search) asks `cancelled` instead.
    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure)
}

/// What answers ``QueryRequest``s: `tally`'s query command (see `ServeCommand`). Called on a
/// worker thread, never on an event loop; must be safe to call from several threads at once.
package protocol QueryAnswering: Sendable {
    func open(_ request: QueryRequest, snapshot: String) throws(QueryFailure) -> any QueryRun
}
