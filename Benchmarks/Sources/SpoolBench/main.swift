// SpoolBench: library-level spool benchmarks, timed with ContinuousClock.
//
//   SpoolBench writer DIR          events/s for batches of 1, 100, 10000 lines, fsync always and interval
//   SpoolBench read DIR            decompress + split every sealed segment of a spool into lines
import TallySpool

#if canImport(Glibc)
import Glibc
#endif

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Realistic-looking event lines (about 250-400 bytes each).
func sampleLines(_ count: Int) -> [[UInt8]] {
    let kinds = ["message", "llm_call", "tool_call", "session_start", "session_end"]
    let models = ["claude-3-5-haiku-20241022", "claude-sonnet-4-5", "gpt-4o-mini"]
    return (0..<count).map { i in
        let kind = kinds[i % kinds.count]
        let line = #"{"event_id":"evt-\#(i)-\#(i &* 2654435761 % 1_000_003)","type":"\#(kind)","ts":"2025-10-23T14:\#(10 + i % 50):\#(10 + i % 49).\#(100 + i % 900)Z","session_id":"s-\#(i % 977)","user_id":"u-\#(i % 131)","org_id":"org-\#(i % 7)","model":"\#(models[i % 3])","input_tokens":\#(i % 4000),"output_tokens":\#(i % 1500),"latency_ms":\#(i % 9000),"status":"ok","text":"The quick brown fox \#(i % 89) jumps over the lazy dog"}"#
        return Array(line.utf8)
    }
}

func benchWriter(directory: String) throws {
    let pool = sampleLines(10_000)
    print("| fsync | batch | events | seconds | events/s |")
    print("|---|---|---|---|---|")
    for (modeName, mode) in [("always", SpoolConfiguration.Fsync.always), ("interval 1s", .interval(.seconds(1)))] {
        for batch in [1, 100, 10_000] {
            let dir = directory + "/writer-\(modeName.prefix(6))-\(batch)"
            let writer = try SpoolWriter(directory: dir, producer: "bench", configuration: .init(fsync: mode))
            let budget = Duration.seconds(3)
            let clock = ContinuousClock()
            let start = clock.now
            var events = 0
            var i = 0
            while clock.now - start < budget {
                let lines = (0..<batch).lazy.map { pool[(i + $0) % pool.count] }
                try writer.append(lines: lines)
                i += batch
                events += batch
            }
            try writer.close()
            let elapsed = seconds(clock.now - start)
            print("| \(modeName) | \(batch) | \(events) | \(String(format: elapsed, 2)) | \(Int(Double(events) / elapsed)) |")
        }
    }
}

func benchRead(directory: String) throws {
    let spool = Spool(directory: directory)
    let segments = try spool.segments().filter(\.isSealed)
    let clock = ContinuousClock()
    let start = clock.now
    var lines = 0
    var bytes = 0
    var checksum: UInt64 = 0
    for segment in segments {
        let reader = try SegmentReader(path: segment.path)
        _ = try reader.read { event in
            guard case .frame(let frame) = event else { return }
            bytes += frame.bytes.count
            frame.forEachLine { line in
                lines += 1
                checksum &+= UInt64(line.count)
            }
        }
    }
    let elapsed = seconds(clock.now - start)
    print("read \(segments.count) segments: \(lines) lines, \(bytes) bytes in \(String(format: elapsed, 3)) s = \(String(format: Double(bytes) / elapsed / 1e6, 1)) MB/s (check \(checksum))")
    print("READ_SECONDS=\(elapsed) READ_BYTES=\(bytes)")
}

func String(format value: Double, _ digits: Int) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (value * p).rounded() / p
    return "\(r)"
}

let args = CommandLine.arguments
guard args.count == 3 else {
    print("usage: SpoolBench writer|read DIR")
    exit(2)
}
switch args[1] {
case "writer": try benchWriter(directory: args[2])
case "read": try benchRead(directory: args[2])
default:
    print("usage: SpoolBench writer|read DIR")
    exit(2)
}
