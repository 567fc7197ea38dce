internal import Glibc

/// A system call that failed: what was attempted, on which path, and the `errno` it set.
///
/// ```swift
/// do { _ = try Posix.open(path, O_RDONLY) }
/// catch { print(error) }   // cannot open /spool/x.zst: no such file or directory
/// ```
/// Each module turns it into its own error (``code`` stays the errno) at its boundary.
package struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was attempted, as a phrase that a path follows: "cannot fsync".
    package var operation: String
    /// The file or directory concerned.
    package var path: String
    /// The `errno` value the call set.
    package var errno: Int32
    /// The byte offset in `path`, when the failure concerns one place in a file.
    package var offset: Int64?

    package init(_ operation: String, _ path: String, errno: Int32, offset: Int64? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.offset = offset
    }

    /// The errno text, lower-cased as in a sentence: "no such file or directory".
    package var message: String { Self.text(of: errno) }

    /// One line: `cannot fsync /spool/api.x.00000001.zst.open: input/output error`.
    package var description: String {
        var line = operation + " " + path
        if let offset { line += " at byte \(offset)" }
        return line + ": " + message
    }

    /// `strerror(3)` with its first letter lower-cased (unless it starts an acronym).
    package static func text(of code: Int32) -> String {
        var text = String(cString: strerror(code))
        if let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase ?? true {
            text = first.lowercased() + text.dropFirst()
        }
        return text
    }

    package var isNotFound: Bool { errno == ENOENT }
    package var isNotADirectory: Bool { errno == ENOTDIR }
}
