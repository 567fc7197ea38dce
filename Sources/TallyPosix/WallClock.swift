internal import Glibc

/// The wall clock (`CLOCK_REALTIME`), the one place Tally reads the time of day.
package enum WallClock {
    /// Now, as seconds and nanoseconds since the epoch.
    package static func now() -> (seconds: Int, nanoseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec))
    }

    /// Now, in epoch milliseconds.
    package static func milliseconds() -> Int64 {
        let (seconds, nanoseconds) = now()
        return Int64(seconds) * 1000 + Int64(nanoseconds) / 1_000_000
    }

    /// `gmtime_r(3)` of `seconds`, formatted `YYYYMMDDTHHMMSS`.
    package static func utcStamp(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2)
    }
}
