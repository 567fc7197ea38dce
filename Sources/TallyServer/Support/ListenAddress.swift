/// `--listen HOST:PORT`: an IPv4 address, `[IPv6]` or a host name, and a port.
///
/// ```swift
/// let address = try ListenAddress(parsing: "127.0.0.1:8088")
/// address.isLoopback   // true: no token file needed
/// ```
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    package init(parsing text: String) throws(ServerError) {
        func bad(_ why: String) -> ServerError {
            ServerError(code: .usage, message: "--listen '\(text)': \(why); give HOST:PORT, e.g. 127.0.0.1:8088 or [::1]:8088")
        }
        guard let colon = text.lastIndex(of: ":") else { throw bad("no port") }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else { throw bad("the port must be 0…65535") }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { throw bad("an IPv6 address needs its closing ]") }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw bad("write an IPv6 address in brackets")
        }
        guard !host.isEmpty else { throw bad("no host") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:_%".contains($0)) }) else {
            throw bad("the host has characters no address has")
        }
        self.init(host: host, port: port)
    }

    /// Whether only this machine can connect: 127.0.0.0/8, `::1` or `localhost`.
    package var isLoopback: Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
