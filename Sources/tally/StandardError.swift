import Glibc
import Logging
import TallyPosix
import TallySnapshot

/// Standard error, written with `write(2)` (TallyPosix's `Posix.writeAll`) and not buffered, so that what it says comes before
/// anything printed after it.
enum StandardError {
    /// Whether standard error is a terminal (progress bars go there).
    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes one line: `text`, its control characters shown escaped (messages carry file names
    /// and event text, which a producer may fill with terminal escapes), and a newline.
    static func line(_ text: String) {
        write(TableText.printable(text) + "\n")
    }

    /// A log handler for `label` that writes swift-log's usual lines here, escaped like ``line(_:)``.
    static func logHandler(label: String) -> StreamLogHandler {
        StreamLogHandler(label: label, stream: LogStream())
    }

    /// What swift-log's stream handler writes, one entry per `write`, shown through ``line(_:)``.
    private struct LogStream: TextOutputStream, Sendable {
        mutating func write(_ entry: String) {
            StandardError.line(entry.hasSuffix("\n") ? String(entry.dropLast()) : entry)
        }
    }

    /// Writes `text` as it is (a progress bar redraws its line with `\r`); stops quietly when
    /// standard error is gone.
    static func write(_ text: String) {
        try? Posix.writeAll(STDERR_FILENO, Array(text.utf8), path: "standard error")
    }
}
