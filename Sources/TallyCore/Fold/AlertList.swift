/// The alerts of one session's contribution, counted.
struct AlertList: Sendable {
    var alerts: [AlertView]
    var count: Int
}
