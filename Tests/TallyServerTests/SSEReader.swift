import Foundation
import Glibc

/// Reads Server-Sent Events from a socket that sent `GET /api/v1/stream`.
final class SSEReader {
    let fd: Int32
    private var buffer = ""

    init(fd: Int32) { self.fd = fd }

    /// The next `snapshot` event's data (JSON text), or `nil` when none came within `seconds`.
    func nextEvent(seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let range = buffer.range(of: "\n\n") {
                let block = String(buffer[..<range.lowerBound])
                buffer.removeSubrange(..<range.upperBound)
                if let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }), block.contains("event: snapshot") {
                    return String(data.dropFirst(6))
                }
                continue
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            var bytes = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &bytes, bytes.count, 0)
            if count <= 0 { return nil }
            buffer += String(decoding: bytes[0..<count], as: UTF8.self)
            // Chunk-size lines of the chunked encoding sit between events: drop them.
            buffer = buffer.replacingOccurrences(of: "\r\n", with: "\n")
            buffer = buffer.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) ? false : true }.joined(separator: "\n")
        }
        return nil
    }
}
