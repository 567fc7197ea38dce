package import TallyPosix

/// `--token-file FILE`: one bearer token a line; blank lines and `#` comments are ignored.
///
/// ```swift
/// let tokens = try TokenFile.read("/etc/tally/tokens")   // ["s3cr3t…"]
/// ```
///
/// The file must be a regular file (a symbolic link is not followed), readable by its owner
/// only (no group or other permission bits), and hold at least one token.
package enum TokenFile {
    package static func read(_ path: String) throws(ServerError) -> [String] {
        func refuse(_ why: String) -> ServerError {
            ServerError(code: .usage, message: "--token-file \(path): \(why)")
        }
        let status: FileStatus?
        do { status = try Posix.lstat(path) } catch { throw refuse("\(error)") }
        guard let status else { throw refuse("no such file") }
        if status.isSymbolicLink { throw refuse("is a symbolic link; give the file itself") }
        guard status.isRegular else { throw refuse("is a \(status.kind), not a file") }
        if status.permissions & 0o077 != 0 {
            throw refuse("is readable or writable by others than its owner (mode \(String(status.permissions & 0o777, radix: 8))); chmod 600 it")
        }
        let bytes: [UInt8]
        do { bytes = try FileOperations.readFile(path, maxBytes: 64 << 10) } catch { throw refuse("\(error)") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw refuse("is not UTF-8 text") }
        var tokens: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.trimmingWhitespace()
            if token.isEmpty || token.hasPrefix("#") { continue }
            guard token.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue! >= 0x21 && $0.asciiValue! < 0x7F }) else {
                throw refuse("line \(number + 1): a token is printable ASCII without spaces")
            }
            tokens.append(String(token))
        }
        guard !tokens.isEmpty else { throw refuse("holds no token") }
        return tokens
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
