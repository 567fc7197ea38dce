import Foundation
import TallyTestSupport
import Testing
import TallyCorpus
import TallySpool

import Glibc

/// `tally run` on a spool where someone planted what no writer makes: a FIFO or a symlink named
/// like a segment. Neither hangs it, neither is read, each is reported once, and SIGTERM still
/// stops it at once.
@Suite(.serialized) struct HostileSpoolTests {
    static let writer = "20250101T000000_000000Z-1-planted"

    /// A spool whose writer stream `p.<writer>` has a FIFO as its segment 1 and a real segment 2
    /// of `events` corpus events. Returns the FIFO's path.
    static func spoolWithAFIFO(_ scratch: CLIScratch, events: Int) throws -> String {
        try scratch.plantSegment(seed: 51, events: events, as: "p.\(writer).00000002.zst")
        let fifo = scratch.spool + "/p.\(writer).00000001.zst"
        #expect(mkfifo(fifo, 0o644) == 0)
        return fifo
    }

    /// Waits up to `seconds` for `process` to exit; `false` (after killing it) if it did not.
    static func exits(_ process: Process, within seconds: Double) -> Bool {
        if eventually(seconds: seconds, { !process.isRunning }) { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    static func occurrences(of text: String, in log: String) -> Int {
        log.components(separatedBy: text).count - 1
    }

    @Test func runOnceFinishesWithAFIFONamedLikeASegment() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let fifo = try Self.spoolWithAFIFO(scratch, events: 300)
        let run = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log", extra: ["--once"])
        #expect(Self.exits(run.process, within: 10), "tally run --once hung on the FIFO")
        #expect(run.process.terminationStatus == 0, "\(run.log)")
        #expect(Self.occurrences(of: "ignoring \(fifo): a FIFO, not a regular file", in: run.log) == 1, "\(run.log)")
        #expect(try linesFolded(scratch.snapshots) == 300)
    }

    @Test func sigtermDuringTheWaitExitsWithinASecond() throws {
        let scratch = try CLIScratch(pipeline: "snapshot:\n  every: 200ms\n")
        defer { scratch.cleanup() }
        let fifo = try Self.spoolWithAFIFO(scratch, events: 300)
        let consumer = try RunningConsumer(pipeline: scratch.pipeline, log: scratch.path + "/run.log")
        #expect(consumer.waitForLog("started:", seconds: 10))
        // Several snapshot ticks and rounds go by: the FIFO is reported once, not once per round.
        usleep(1_200_000)
        let signalled = Date()
        consumer.signal(SIGTERM)
        let exited = Self.exits(consumer.process, within: 10)
        let elapsed = Date().timeIntervalSince(signalled)
        #expect(exited, "tally run did not exit within 10 s of SIGTERM")
        print("tally run: SIGTERM → exit in \(Int(elapsed * 1000)) ms (a FIFO in the spool, waiting for changes)")
        #expect(consumer.process.terminationStatus == 0, "\(consumer.log)")
        #expect(Self.occurrences(of: "ignoring \(fifo): a FIFO", in: consumer.log) == 1, "\(consumer.log)")
        #expect(try linesFolded(scratch.snapshots) == 300)
    }

    @Test func aSymlinkedSegmentIsSkippedWithAWarningAndNeverRead() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        // A producer links a file the consumer may read (here: another spool's segment) into the spool.
        let elsewhere = scratch.path + "/elsewhere"
        #expect(try tally(["append", "--spool", elsewhere, "--producer", "secret"], input: CorpusGenerator.bytes(CorpusConfiguration(seed: 52, events: 100))).status == 0)
        let target = try Spool(directory: elsewhere).segments()[0].path
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "api"], input: CorpusGenerator.bytes(CorpusConfiguration(seed: 53, events: 50))).status == 0)
        let link = scratch.spool + "/evil.\(Self.writer).00000001.zst"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)

        let run = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(run.status == 0)
        #expect(Self.occurrences(of: "ignoring \(link): a symbolic link, not a regular file", in: run.error) == 1, "\(run.error)")
        #expect(try linesFolded(scratch.snapshots) == 50)
        // Nor deleted, nor followed by retention: the target is untouched.
        #expect(FileManager.default.fileExists(atPath: target))
    }

    /// A pipe named on the replay command line is read as a stream (`tally replay <(zstdcat x.zst)`);
    /// zstd frames on one are refused in one line before anything is folded; a regular file with
    /// zstd content is read as zstd whatever its name.
    @Test func replayReadsANamedPipeAndKnowsZstdByItsBytes() throws {
        let scratch = try CLIScratch(pipeline: "spool: spool\nsnapshots: snapshots\ndead_letter: dead-letter\n")
        defer { scratch.cleanup() }
        let corpus = CorpusGenerator.bytes(CorpusConfiguration(seed: 54, events: 400))
        #expect(try tally(["append", "--spool", scratch.spool, "--producer", "p"], input: corpus).status == 0)
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: try Spool(directory: scratch.spool).segments()[0].path)))
        func replay(_ bytes: [UInt8], through name: String, fifo: Bool) throws -> Outcome {
            let path = scratch.path + "/" + name
            if fifo {
                #expect(mkfifo(path, 0o600) == 0)
                let writer = Thread {
                    let handle = FileHandle(forWritingAtPath: path)
                    handle?.write(Data(bytes))
                    try? handle?.close()
                }
                writer.start()
            } else {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            }
            return try tally(["replay", "--pipeline", scratch.pipeline, "--out", scratch.path + "/out-" + name, path])
        }
        let plain = try replay(corpus, through: "plain-pipe", fifo: true)
        #expect(plain.status == 0, "\(plain.error)")
        #expect(try linesFolded(scratch.path + "/out-plain-pipe") == 400)

        let zstd = try replay(compressed, through: "zstd-pipe", fifo: true)
        #expect(zstd.status == 2)
        #expect(zstd.error == "tally: \(scratch.path)/zstd-pipe: zstd frames on a pipe; name the .zst file itself, or decompress it into the pipe (<(zstdcat FILE))\n")

        let named = try replay(compressed, through: "events.log", fifo: false)
        #expect(named.status == 0, "\(named.error)")
        #expect(try linesFolded(scratch.path + "/out-events.log") == 400)
    }

    @Test func plantedHugeRegistrationAndIdentityFilesAreNotRead() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        try scratch.plantSegment(seed: 52, events: 300, as: "p.\(Self.writer).00000001.zst")
        // Sparse: they cost no disk, and reading them whole would cost 512 MiB and 1 GiB of memory.
        let registration = scratch.spool + "/.tally-consumer-aaaaaaaaaaaaaaaa"
        #expect(FileManager.default.createFile(atPath: registration, contents: nil))
        #expect(truncate(registration, 512 << 20) == 0)
        let run = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains(".tally-consumer-aaaaaaaaaaaaaaaa (file too large)"), "\(run.error)")
        #expect(try linesFolded(scratch.snapshots) == 300)

        let identity = scratch.spool + "/.tally-spool-id"
        #expect(unlink(identity) == 0)
        #expect(FileManager.default.createFile(atPath: identity, contents: nil))
        #expect(truncate(identity, 1 << 30) == 0)
        let refused = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("larger than 64 bytes"), "\(refused.error)")
        #expect(refused.error.filter { $0 == "\n" }.count == 1, "\(refused.error)")
    }

    @Test func fileNamesWithTerminalEscapesAreShownEscaped() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        try scratch.plantSegment(seed: 53, events: 10, as: "p.\(Self.writer).00000001.zst")
        #expect(FileManager.default.createFile(atPath: scratch.spool + "/a\u{1B}]0;OWNED\u{07}\u{1B}[2J.zst", contents: Data("x".utf8)))
        let run = try tally(["run", "--pipeline", scratch.pipeline, "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.error.contains("a\\x1B]0;OWNED\\x07\\x1B[2J.zst: not a segment file"), "\(run.error)")
        #expect(!run.error.contains("\u{1B}") && !run.error.contains("\u{07}"))
        let verify = try tally(["verify", scratch.spool])
        #expect(!verify.output.contains("\u{1B}") && !verify.error.contains("\u{1B}"), "\(verify.output)")
    }
}
