import Foundation
import TallyTestSupport
import Testing

import Glibc

/// The snapshot side of issue 13: owner-only files (item 11), a newer manifest refused (item 3),
/// a full disk while snapshotting (item 9).
@Suite struct SnapshotHardeningTests {
    static func mode(_ path: String) -> String {
        String(SpoolPermissionTests.mode(path), radix: 8)
    }

    /// A scratch directory whose spool got `count` lines, folded by `run --once` into its first snapshot.
    static func folded(_ count: Int, name: String = #function) throws -> CLIScratch {
        let scratch = try CLIScratch(pipeline: "", name: name)
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: lines(count)).status == 0)
        #expect(try tally(["run", "--pipeline", scratch.pipeline, "--once"]).status == 0)
        return scratch
    }

    static func lines(_ count: Int, from start: Int = 0, invalid: Bool = false) -> [UInt8] {
        let text = (start..<(start + count)).map { index in
            invalid && index % 10 == 0 ? "not json \(index)"
                : #"{"type":"log","ts":\#(1761229800000 + index),"level":"info","session_id":"s\#(index % 7)","message":"m \#(index)"}"#
        }
        return Array((text.joined(separator: "\n") + "\n").utf8)
    }

    @Test func snapshotAndDeadLetterFilesAreOwnerOnlyUnderUmask000() throws {
        let scratch = try CLIScratch(pipeline: "spool: ./spool\nsnapshots: ./state/snapshots\ndead_letter: ./state/dead-letter\nsnapshot:\n  every: 100ms\n")
        defer { scratch.cleanup() }
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Self.lines(200, invalid: true)).status == 0)
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log", umask: "000")
        #expect(consumer.waitForLog("snapshot 1 written"), "\(consumer.log)")
        // The first generation is written without a journal; the second through the WAL.
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Self.lines(20, from: 200)).status == 0)
        #expect(consumer.waitForLog("snapshot 2 written"), "\(consumer.log)")
        let snapshots = scratch.path + "/state/snapshots"
        let deadLetter = scratch.path + "/state/dead-letter"
        // While it runs, sessions.db has its WAL and shared-memory files.
        for name in ["sessions.db", "sessions.db-wal", "sessions.db-shm"] {
            #expect(Self.mode(snapshots + "/" + name) == "600", "\(name)")
        }
        #expect(consumer.stop() == 0)
        #expect(Self.mode(scratch.path + "/state") == "700")
        #expect(Self.mode(snapshots) == "700")
        #expect(Self.mode(deadLetter) == "700")
        for directory in [snapshots, deadLetter] {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(!names.isEmpty)
            for name in names {
                #expect(Self.mode(directory + "/" + name) == "600", "\(directory)/\(name)")
            }
        }
    }

    @Test func aManifestOfANewerVersionStopsRunWithOneLine() throws {
        let scratch = try Self.folded(20)
        defer { scratch.cleanup() }
        let manifest = scratch.snapshots + "/snapshot-000000000001.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 2,").write(toFile: manifest, atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.snapshots).sorted()
        let outcome = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(outcome.status == 2)
        #expect(outcome.error.hasPrefix("tally: snapshot manifest \(manifest) has format version 2, and this build reads version 1"), "\(outcome.error)")
        #expect(outcome.error.filter { $0 == "\n" }.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.snapshots).sorted() == before)
    }

    @Test func aFIFONamedLikeTheNewestManifestIsDamageNotAWait() throws {
        let scratch = try Self.folded(20)
        defer { scratch.cleanup() }
        let fifo = scratch.snapshots + "/snapshot-000000000009.json"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Queries fall back to the older snapshot instead of opening the FIFO and waiting.
        let query = try tally(["query", "--snapshot", scratch.snapshots, "summary", "--format", "json"])
        #expect(query.status == 0, "\(query.error)")
        #expect(query.output.contains("\"events\":20"), "\(query.output)")
        // The consumer moves it aside as damaged, warns, and goes on from the older one.
        let run = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("snapshot-000000000009.json"), "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: fifo + ".damaged"))
        #expect(try linesFolded(scratch.snapshots) == 20)
    }

    @Test func aQueryOfALostOrDamagedSessionsDatabaseSaysWhatToDo() throws {
        let scratch = try Self.folded(5)
        defer { scratch.cleanup() }
        let database = scratch.snapshots + "/sessions.db"
        #expect(unlink(database) == 0)
        let missing = try tally(["query", "--snapshot", scratch.snapshots, "sessions"])
        #expect(missing.status == 4)
        #expect(missing.error.contains("sessions.db is missing") && missing.error.contains("README: Recovery"), "\(missing.error)")
        try "not a database".write(toFile: database, atomically: false, encoding: .utf8)
        let damaged = try tally(["query", "--snapshot", scratch.snapshots, "sessions"])
        #expect(damaged.status == 4)
        #expect(damaged.error.contains("sessions.db is damaged (file is not a database)"), "\(damaged.error)")
        #expect(damaged.error.contains("README: Recovery") && damaged.error.filter { $0 == "\n" }.count == 1, "\(damaged.error)")
        // An empty file, a directory, a FIFO (which SQLite would wait on): the same line, never a hang.
        for (kind, make) in [("empty", { _ = FileManager.default.createFile(atPath: database, contents: nil) }),
                             ("directory", { _ = mkdir(database, 0o700) }), ("FIFO", { _ = mkfifo(database, 0o600) })] as [(String, () -> Void)] {
            _ = try? FileManager.default.removeItem(atPath: database)
            make()
            let outcome = try tally(["query", "--snapshot", scratch.snapshots, "sessions"])
            #expect(outcome.status == 4, "\(kind): \(outcome.error)")
            #expect(outcome.error.contains("README: Recovery"), "\(kind): \(outcome.error)")
        }
        // A socket named like the newest manifest is damage too: the older snapshot answers. (Bound
        // at a short path, as sun_path is 108 bytes, then renamed into place.)
        let socketPath = scratch.snapshots + "/snapshot-000000000009.json"
        try? FileManager.default.removeItem(atPath: database)
        let shortPath = NSTemporaryDirectory() + "tally-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in shortPath.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && rename(shortPath, socketPath) == 0, "socket \(shortPath): errno \(errno)")
        let rerun = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(!rerun.error.contains("no such device"), "\(rerun.error)")
        #expect(FileManager.default.fileExists(atPath: socketPath + ".damaged"), "\(rerun.error) \((try? FileManager.default.contentsOfDirectory(atPath: scratch.snapshots)) ?? [])")
    }

    @Test func directoriesOpenToOtherUsersAreReportedAtStart() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Self.lines(5)).status == 0)
        let first = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(first.status == 0)
        #expect(!first.error.contains("open to other users"), "\(first.error)")
        // An operator made them by hand: one open to all, one readable by all.
        #expect(chmod(scratch.snapshots, 0o777) == 0)
        try? FileManager.default.removeItem(atPath: scratch.deadLetter)
        #expect(mkdir(scratch.deadLetter, 0o755) == 0)
        #expect(chmod(scratch.deadLetter, 0o755) == 0)
        let second = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(second.status == 0)
        #expect(second.error.contains("\(scratch.snapshots) is open to other users (mode 777)"), "\(second.error)")
        #expect(second.error.contains("\(scratch.deadLetter) is open to other users (mode 755)"), "\(second.error)")
    }

    @Test func aLineLimitAboveTheBoundIsRefusedWithOneLine() throws {
        let scratch = try CLIScratch(pipeline: "limits:\n  max_line_bytes: 100GiB\n")
        defer { scratch.cleanup() }
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: Self.lines(3)).status == 0)
        for command in [["run", "--pipeline", scratch.pipeline, "--once"], ["replay", "--pipeline", scratch.pipeline, "--out", scratch.path + "/out", scratch.spool]] {
            let outcome = try tally(command)
            #expect(outcome.status == 2, "\(command[0]): \(outcome.error)")
            #expect(outcome.error.contains("limits.max_line_bytes: 107374182400 is out of range (1 B…256 MiB)"), "\(outcome.error)")
            #expect(outcome.error.filter { $0 == "\n" }.count == 1)
        }
        let append = try tally(["append", "--spool", scratch.spool, "--max-line-bytes", "300MiB"], input: Self.lines(1))
        #expect(append.status == 2)
        #expect(append.error.contains("--max-line-bytes: 314572800 is out of range"), "\(append.error)")
        #expect(try tally(["append", "--spool", scratch.spool, "--max-line-bytes", "256MiB"], input: Self.lines(1)).status == 0)
    }

    @Test(.enabled(if: Tmpfs.canMount, "mounting a tmpfs needs root: the full-disk test is skipped"))
    func whileSnapshotsFailNoNewFramesAreRead() throws {
        let scratch = try CLIScratch(pipeline: "spool: ./spool\nsnapshots: ./disk/snapshots\nsnapshot:\n  every: 100ms\n")
        defer { scratch.cleanup() }
        let disk = scratch.path + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(Tmpfs.mount(at: disk, size: "4m"))   // room for a first snapshot (the frame index adds tables), until dd fills it
        defer { Tmpfs.unmount(disk) }
        func append(_ bytes: [UInt8]) throws {
            #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: bytes).status == 0)
        }
        try append(Self.lines(100))
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log")
        defer { if consumer.process.isRunning { consumer.stop(SIGKILL) } }
        #expect(consumer.waitForLog("snapshot 1 written"), "\(consumer.log)")
        // The disk fills up.
        _ = try runProgram("/bin/dd", ["if=/dev/zero", "of=\(disk)/filler", "bs=4096"], input: [])
        try append(Self.lines(50, from: 100))
        try #require(consumer.waitForLog("reading paused"), "\(consumer.log)")
        // Appended while paused: not read until a snapshot commits again.
        try append(Self.lines(50, from: 150))
        let pausedBefore = consumer.log.components(separatedBy: "reading paused").count
        #expect(eventually(seconds: 60) { consumer.log.components(separatedBy: "reading paused").count >= pausedBefore + 2 })
        try FileManager.default.removeItem(atPath: disk + "/filler")
        #expect(consumer.waitForLog("failed attempts; reading again", seconds: 120), "\(consumer.log)")
        let line = try #require(consumer.log.split(separator: "\n").first { $0.contains("failed attempts; reading again") })
        let generation = try #require(line.firstMatch(of: #/snapshot ([0-9]+) committed/#).map { Int($0.1)! })
        let manifest = disk + "/snapshots/snapshot-" + String(repeating: "0", count: 12 - String(generation).count) + "\(generation).json"
        let recovered = try #require(try queryJSON(manifest, ["summary"]) as? [String: Any])
        #expect((recovered["events"] as? Int ?? 0) <= 150, "the lines appended while paused were read")
        #expect(eventually(seconds: 30) { ((try? queryJSON(disk + "/snapshots", ["summary"])) as? [String: Any])?["events"] as? Int == 200 })
        #expect(consumer.stop() == 0)
    }
}
