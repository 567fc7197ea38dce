import TallyServer

/// `tally query events` or `search` over one open snapshot: the same rows as `--format json`.
/// What the read left out (files gone, damaged frames) is the CLI's standard-error note; the
/// server has no such channel, so the rows simply omit those events, as the CLI's do.
struct EventsCommandRun: QueryRun {
    let request: QueryCommand.EventsRequest
    let lease: ReaderLease

    var generation: Int64 { lease.reader.generation }

    func write(_ sink: @escaping (String) throws -> Void, cancelled: @escaping @Sendable () -> Bool) throws(QueryFailure) {
        do {
            // A search gathers its matches before it prints them: it asks `cancelled` as it scans.
            // Once the client is gone the rest of the rows go nowhere.
            _ = try QueryCommand.writeEvents(request, reader: lease.reader, format: .json, stop: cancelled) { try? sink($0) }
        } catch {
            throw QueryCommandAnswering.failure(error)
        }
    }
}
