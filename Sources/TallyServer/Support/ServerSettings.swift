/// What `tally serve` serves and to whom.
///
/// ```swift
/// let settings = try ServerSettings(snapshot: "/var/lib/tally/snapshots",
///                                   listen: ListenAddress(parsing: "0.0.0.0:8088"),
///                                   tokens: TokenFile.read("/etc/tally/tokens"))
/// ```
///
/// Listening on anything but loopback needs at least one token (`ServerError.Code.usage` otherwise).
package struct ServerSettings: Sendable {
    /// The snapshot directory (its newest complete snapshot answers each request). Never written.
    package var snapshot: String
    package var listen: ListenAddress
    /// Bearer tokens; empty means no token is asked for (loopback only).
    package var tokens: [String]
    /// A connection that sends no complete request for this long is closed (20 s), so clients that
    /// connect and stall cannot hold every file descriptor. A response being sent (a live stream
    /// included) is not idle.
    package var idleTimeoutMs: Int64 = 20_000

    package init(snapshot: String, listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8088), tokens: [String] = []) throws(ServerError) {
        guard listen.isLoopback || !tokens.isEmpty else {
            throw ServerError(
                code: .usage,
                message: "--listen \(listen) is not a loopback address: give --token-file FILE so that only holders of a token can read")
        }
        self.snapshot = snapshot
        self.listen = listen
        self.tokens = tokens
    }
}
