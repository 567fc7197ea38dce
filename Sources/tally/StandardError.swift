import Glibc

/// Standard error, written with `write(2)` and not buffered, so that what it says comes before
/// anything printed after it.
enum StandardError {
    /// Whether standard error is a terminal (progress bars go there).
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes one line: `text` and a newline.
    static func line(_ text: String) {
        write(text + "\n")
    }

    /// Writes `text` as it is (a progress bar redraws its line with `\r`); stops quietly when
    /// standard error is gone.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            written += n
        }
    }
}
