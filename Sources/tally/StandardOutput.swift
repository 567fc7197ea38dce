import Glibc

/// Buffered standard output through `write(2)`, for output of any size; it stops quietly when
/// the reader goes away (`tally query … | head`).
struct StandardOutput {
    private var buffer: [UInt8] = []
    private var closed = false

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var done = 0
        while !closed, done < buffer.count {
            let count = buffer.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress! + done, $0.count - done) }
            if count < 0 {
                if errno == EINTR { continue }
                closed = true
            } else {
                done += count
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
