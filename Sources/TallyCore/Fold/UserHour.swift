/// A user and an hour bucket of event time, for access bursts.
struct UserHour: Sendable, Hashable {
    var userID: String
    var hour: Int64
}
