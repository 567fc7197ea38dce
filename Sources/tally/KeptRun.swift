import TallyServer

/// An answer kept from an earlier request for the same snapshot.
struct KeptRun: QueryRun {
    let generation: Int64
    let text: String

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        do { try sink(text) } catch { throw QueryCommandAnswering.failure(error) }
    }
}
