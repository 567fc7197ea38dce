import Glibc
import TallyPosix

/// Buffered standard output through `write(2)` (TallyPosix's `Posix.writeAll`), for output of any size; it stops quietly when
/// the reader goes away (`tally query … | head`).
struct StandardOutput {
    private var buffer: [UInt8] = []
    private var closed = false

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// `text` and a line feed, as `print` writes it.
    mutating func line(_ text: String = "") {
        append(text)
        append("\n")
    }

    mutating func flush() {
        if !closed {
            do { try Posix.writeAll(STDOUT_FILENO, buffer, path: "standard output") } catch { closed = true }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
