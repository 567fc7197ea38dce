/// A `FAILED` session in its error group: the session and the `ts` of the end that set its status.
struct SessionFailure: Sendable, Hashable {
    var key: ErrorGroupKey
    var sessionID: String
    var timestamp: Int64
}
