#if canImport(Glibc)
import Glibc
#endif

/// Small helpers for what the commands print.
enum Terminal {
    /// Whether standard error is a terminal (progress bars go there).
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    /// Writes one line to standard error.
    static func error(_ line: String) {
        writeError(line + "\n")
    }

    /// `tally: <message>` on standard error, then exits with `code`.
    static func fail(_ message: String, code: Int32) -> Never {
        error("tally: " + message)
        exit(code)
    }

    /// Exits with status 0 while `retained` is still alive, so its memory is never freed piece by
    /// piece: for a command whose last act is to print what a large computation left.
    static func finish(_ retained: some Any) -> Never {
        withExtendedLifetime(retained) { exit(0) }
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// Bytes as "660.2 MB" (decimal units, as `zstd` and `ls -h --si` print).
    static func megabytes(_ bytes: Int64) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    /// A duration as "2.93 s".
    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let hundredths = (ms + 5) / 10
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}

extension Terminal {
    /// Writes text to standard error without a newline.
    static func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            written += n
        }
    }
}

/// Online processor count, for default thread counts.
enum ProcessorCount {
    static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
