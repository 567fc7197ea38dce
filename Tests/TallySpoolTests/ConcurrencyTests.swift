import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TallySpool

/// Multi-process writers: the test binary re-runs itself with `--filter
/// spoolChildWriterEntryPoint` and `TALLY_SPOOL_CHILD=<dir>|<index>|<lines>` in its
/// environment; that test then acts as one producer process and exits. (A test target
/// cannot depend on the `tally` executable, and fork() of a multithreaded process is unsafe.)
@Test func spoolChildWriterEntryPoint() throws {
    guard let spec = ProcessInfo.processInfo.environment["TALLY_SPOOL_CHILD"] else { return }
    let parts = spec.split(separator: "|").map(String.init)
    let (dir, index, count) = (parts[0], Int(parts[1])!, Int(parts[2])!)
    let writer = try SpoolWriter(
        directory: dir, producer: "proc",
        configuration: .init(maxSegmentBytes: 24 << 10, fsync: .interval(.milliseconds(20)), maxFrameBytes: 16 << 10))
    var n = 0
    while count < 0 || n < count {   // a negative count: append until killed
        let batch = (n..<(count < 0 ? n + 250 : min(n + 250, count))).map { Array(#"{"proc":\#(index),"seq":\#($0),"msg":"event \#($0) from process \#(index)"}"#.utf8) }
        try writer.append(lines: batch)
        n += batch.count
    }
    try writer.close()
}

@Suite struct ConcurrencyTests {
    @Test func fourProcessesAppendConcurrentlyAndEveryLineIsReadOnce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let perProcess = 50_000
        let exe = CommandLine.arguments[0]
        let children = try (0..<4).map { index in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: exe)
            process.arguments = ["--testing-library", "swift-testing", "--filter", "spoolChildWriterEntryPoint"]
            var env = ProcessInfo.processInfo.environment
            env["TALLY_SPOOL_CHILD"] = "\(dir.path)|\(index)|\(perProcess)"
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for child in children {
            child.waitUntilExit()
            #expect(child.terminationStatus == 0)
        }
        let segments = try readSpool(dir.path)
        #expect(Set(segments.map { $0.0.id.writer }).count == 4)
        #expect(segments.count > 8)   // rotated by size while the others wrote
        var next = [Int](repeating: 0, count: 4)
        var seen = Set<String>()
        for (segment, lines, end) in segments {
            #expect(segment.isSealed && end.state == .sealed && end.tornTail == nil)
            #expect(try zstdTestPasses(segment.path), "zstd -t \(segment.path)")
            for line in lines {
                #expect(seen.insert(line).inserted, "duplicate \(line)")
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let p = obj["proc"] as! Int, s = obj["seq"] as! Int
                #expect(s == next[p], "process \(p) out of order")
                next[p] = s + 1
            }
        }
        #expect(next == [perProcess, perProcess, perProcess, perProcess])
        #expect(seen.count == 4 * perProcess)
    }

    @Test func writerKilledWithSIGKILLLeavesAReadablePrefixAndNoDamage() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--testing-library", "swift-testing", "--filter", "spoolChildWriterEntryPoint"]
        var env = ProcessInfo.processInfo.environment
        env["TALLY_SPOOL_CHILD"] = "\(dir.path)|0|-1"
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once it has sealed a few segments (i.e. is busy appending).
        while try Spool(directory: dir.path).segments().filter(\.isSealed).count < 3 && process.isRunning {
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let segments = try readSpool(dir.path)
        var next = 0
        for (segment, lines, end) in segments {
            #expect(end.state == (segment.isSealed ? .sealed : .abandoned))
            if segment.isSealed { #expect(end.tornTail == nil) }
            for line in lines {
                let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                #expect(obj["seq"] as? Int == next)
                next += 1
            }
        }
        #expect(next >= 250)
        // Only the segment it was filling (if it had opened one since its last seal) is unsealed.
        #expect(segments.dropLast().allSatisfy { $0.0.isSealed })
        let before = segments.map { fileSize($0.0.path) }
        // A new writer starts its own segment; the abandoned one is never appended to.
        let writer = try SpoolWriter(directory: dir.path, producer: "proc")
        try writer.append(bytes("{\"proc\":0,\"seq\":-1}\n"))
        try writer.close()
        #expect(segments.map { fileSize($0.0.path) } == before)
        #expect(try Spool(directory: dir.path).segments().count == segments.count + 1)
    }

    @Test func rotationBySizeSealsSegmentsNearTheLimit() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(
            directory: dir.path, producer: "p", configuration: .init(maxSegmentBytes: 8 << 10, fsync: .never, maxFrameBytes: 2048))
        let lines = (0..<5000).map { #"{"i":\#($0),"v":"\#(String($0 * 7919, radix: 36))"}"# }
        for chunk in stride(from: 0, to: lines.count, by: 100) {
            try writer.append(lines: lines[chunk..<chunk + 100].map { Array($0.utf8) })
        }
        try writer.close()
        let segments = try readSpool(dir.path)
        #expect(segments.count > 3)
        #expect(segments.map(\.0.id.sequence) == Array(1...UInt64(segments.count)))
        for (segment, _, _) in segments.dropLast() {
            // Sealed once the size reached the limit: at most one frame past it.
            #expect(segment.size >= 8 << 10 && segment.size < (8 << 10) + 2048 + 64)
        }
        #expect(segments.flatMap(\.1) == lines)
    }

    @Test func rotationByAgeSealsAtBatchBoundaries() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writer = try SpoolWriter(directory: dir.path, producer: "p", configuration: .init(maxSegmentAge: .milliseconds(30)))
        try writer.append(bytes("a\nb\n"))
        try writer.append(bytes("c\n"))   // younger than 30 ms: no rotation... unless this machine is slow
        Thread.sleep(forTimeInterval: 0.06)
        try writer.append(bytes("d\n"))   // older than 30 ms: rotates first
        try writer.close()
        let segments = try readSpool(dir.path)
        #expect(segments.count >= 2)
        #expect(segments.last?.1 == ["d"])
        #expect(segments.flatMap(\.1) == ["a", "b", "c", "d"])
        let zero = try SpoolWriter(directory: dir.path, producer: "z", configuration: .init(maxSegmentAge: .zero))
        for i in 0..<3 { try zero.append(bytes("\(i)\n")) }
        try zero.close()
        #expect(try Spool(directory: dir.path).segments().filter { $0.id.producer == "z" }.count == 3)
    }

    @Test func readerStartedBeforeRotationsSeesEveryLineOfEachWriterInOrder() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let writers = 3, batches = 200
        let done = ManagedAtomicFlag()
        let threads = (0..<writers).map { w in
            Thread {
                let writer = try! SpoolWriter(
                    directory: dir.path, producer: "w\(w)",
                    configuration: .init(maxSegmentBytes: 4 << 10, maxSegmentAge: .milliseconds(5), fsync: .never, maxFrameBytes: 1024))
                for b in 0..<batches {
                    try! writer.append(lines: (0..<10).map { Array(#"{"w":\#(w),"n":\#(b * 10 + $0)}"#.utf8) })
                }
                try! writer.close()
                done.increment()
            }
        }
        let reader = SpoolReader(directory: dir.path)
        var cursor = SpoolCursor()
        var next = [Int](repeating: 0, count: writers)
        var damage = 0
        // Start reading before the writers start, and keep reading while they rotate.
        try reader.readNew(from: &cursor) { _ in }
        threads.forEach { $0.start() }
        var rounds = 0
        while true {
            let finished = done.value == writers
            try reader.readNew(from: &cursor) { event in
                switch event {
                case .frame(_, let frame):
                    try frame.forEachLine { line in
                        let obj = try! JSONSerialization.jsonObject(with: Data(line.bytes)) as! [String: Int]
                        #expect(obj["n"]! == next[obj["w"]!], "writer \(obj["w"]!) out of order")
                        next[obj["w"]!] = obj["n"]! + 1
                    }
                default: damage += 1
                }
            }
            rounds += 1
            if finished { break }
        }
        #expect(next == [Int](repeating: batches * 10, count: writers))
        #expect(damage == 0)
        #expect(try Spool(directory: dir.path).segments().count > writers * 2)
        // Reading again from the cursor yields nothing new.
        var again = 0
        try reader.readNew(from: &cursor) { _ in again += 1 }
        #expect(again == 0)
        // The cursor round-trips through Codable.
        let decoded = try JSONDecoder().decode(SpoolCursor.self, from: JSONEncoder().encode(cursor))
        #expect(decoded == cursor)
    }
}

final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
