internal import TallyPosix

/// Lexical path handling for pipeline files: no file system access beyond the working directory.
enum PipelinePath {
    /// `path` made absolute against the working directory, then normalized.
    static func absolute(_ path: String) -> String {
        // An unnamed working directory resolves against `/`, as an empty one would.
        resolve(path, against: Posix.currentDirectory() ?? "/")
    }

    /// `path` if absolute, else `directory/path`; `.`, `..` and repeated `/` removed.
    static func resolve(_ path: String, against directory: String) -> String {
        normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// The folder holding `file` (an absolute path).
    static func directory(of file: String) -> String {
        var parts = file.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty else { return "/" }
        parts.removeLast()
        return "/" + parts.joined(separator: "/")
    }

    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
