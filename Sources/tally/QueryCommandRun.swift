import TallyServer
import TallySnapshot

/// One parsed query over one open snapshot: `tally query --format json`'s output. A complete
/// answer of at most ``ServeCache/maxAnswerBytes`` goes to `kept` as well.
struct QueryCommandRun: QueryRun {
    let query: SnapshotQuery
    let lease: ReaderLease
    let kept: (_ text: String, _ generation: Int64) -> Void

    var generation: Int64 { lease.reader.generation }

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        let text = TextUpTo(ServeCache.maxAnswerBytes)
        do {
            try lease.reader.run(query, format: .json) { piece in
                text.add(piece)
                try sink(piece)
            }
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
        if let whole = text.value { kept(whole, generation) }
    }
}

/// The pieces of an answer joined, until they pass `limit` bytes (then `nil`).
private final class TextUpTo {
    private(set) var value: String? = ""
    private let limit: Int
    init(_ limit: Int) { self.limit = limit }

    func add(_ piece: String) {
        guard value != nil else { return }
        value! += piece
        if value!.utf8.count > limit { value = nil }
    }
}
