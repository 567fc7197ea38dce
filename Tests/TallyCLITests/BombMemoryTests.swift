import Foundation
import TallyTestSupport
import Testing
import TallyCorpus
import TallySpool

import Glibc

/// Decompression bombs and a frame that declares 4 GiB, in a spool (`tally run --once`) and in a
/// foreign `.zst` (`tally replay`): the run finishes, reports the frames as damage, folds every
/// good event, and its peak memory stays within 64 MiB of the same run without them.
@Suite(.serialized) struct BombMemoryTests {
    static let writer = "20250101T000000_000000Z-1-planted"
    static let allowance = 64 << 10   // KiB

    /// The hostile frames: a forged 4 GiB header (damage), a 6 KiB RLE bomb of 192 MiB without a
    /// newline (one line, too long, streamed: held whole it alone would exceed the allowance),
    /// and a block above the format's maximum (damage).
    static var bombs: [UInt8] {
        // (A foreign file is one byte stream: the empty raw block's newline ends the long line.)
        HostileFrames.forgedFourGiB + HostileFrames.rleBomb(bytes: 6 << 10) + HostileFrames.rawBlock([])
            + HostileFrames.rawBlock(Array(repeating: 0x61, count: 200 << 10))
    }

    static let goodLine = #"{"type":"log","ts":"2025-01-01T00:00:00.000Z","session_id":"sess_after_the_bombs","level":"info","message":"still here"}"#

    /// `tally` with `arguments`, its exit status, standard error, and peak resident set in KiB
    /// (`wait4`'s `ru_maxrss` of that one child).
    static func measured(_ arguments: [String]) throws -> (status: Int32, error: String, peakKiB: Int) {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bomb-\(UUID().uuidString).err").path
        defer { try? FileManager.default.removeItem(atPath: errors) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([try requireTally()] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tallyPath, &actions, nil, argv, environ)
        try #require(spawned == 0, "posix_spawn: \(spawned)")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let error = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (exit, error, usage.ru_maxrss)
    }

    /// A spool of `events` corpus events in one sealed segment, plus a second segment of `tail`.
    static func spool(_ scratch: CLIScratch, events: Int, tail: [UInt8]) throws {
        try scratch.plantSegment(seed: 61, events: events, as: "p.\(writer).00000001.zst")
        try Data(tail).write(to: URL(fileURLWithPath: scratch.spool + "/p.\(writer).00000002.zst"))
    }

    static func summary(_ snapshots: String) throws -> [String: Any] {
        try #require(try queryJSON(snapshots, ["summary"]) as? [String: Any])
    }

    @Test func runOnceOverBombsStaysWithinItsMemoryAndMovesPast() throws {
        var peaks: [Int] = []
        var events: [Int] = []
        for hostile in [false, true] {
            let scratch = try CLIScratch(pipeline: "spool: spool\nsnapshots: snapshots\ndead_letter: dead-letter\n", name: "run\(hostile)")
            defer { scratch.cleanup() }
            let tail = (hostile ? Self.bombs : []) + HostileFrames.rawBlock(Array(Self.goodLine.utf8))
            try Self.spool(scratch, events: 20_000, tail: tail)
            let run = try Self.measured(["run", "--pipeline", scratch.pipeline, "--once"])
            #expect(run.status == 0, "\(run.error)")
            peaks.append(run.peakKiB)
            let summary = try Self.summary(scratch.snapshots)
            events.append(summary["events"] as? Int ?? -1)
            let damaged = (summary["health"] as? [String: Any])?["damaged_frames"] as? Int
            #expect(damaged == (hostile ? 2 : 0), "\(summary["health"] ?? "no health")")
            // The cursor is past the bombs: a second run folds nothing more and does not fail.
            if hostile {
                let again = try Self.measured(["run", "--pipeline", scratch.pipeline, "--once"])
                #expect(again.status == 0, "\(again.error)")
                #expect(try Self.summary(scratch.snapshots)["events"] as? Int == events.last)
            }
        }
        #expect(events[0] == events[1] && events[0] > 0, "the same good events are folded: \(events)")
        #expect(peaks[1] - peaks[0] <= Self.allowance, "peak RSS without bombs \(peaks[0]) KiB, with \(peaks[1]) KiB")
        print("run --once peak RSS: \(peaks[0]) KiB without bombs, \(peaks[1]) KiB with them")
    }

    @Test func replayOfAForeignZstWithBombsStaysWithinItsMemory() throws {
        var peaks: [Int] = []
        var events: [Int] = []
        for hostile in [false, true] {
            let scratch = try CLIScratch(pipeline: "spool: spool\nsnapshots: snapshots\ndead_letter: dead-letter\n", name: "replay\(hostile)")
            defer { scratch.cleanup() }
            // A foreign file: the corpus's frames, the bombs, and a good frame after them.
            try Self.spool(scratch, events: 20_000, tail: [])
            let corpus = try [UInt8](Data(contentsOf: URL(fileURLWithPath: scratch.spool + "/p.\(Self.writer).00000001.zst")))
            let file = scratch.path + "/input/foreign.ndjson.zst"
            try FileManager.default.createDirectory(atPath: scratch.path + "/input", withIntermediateDirectories: true)
            try Data(corpus + (hostile ? Self.bombs : []) + HostileFrames.rawBlock(Array(Self.goodLine.utf8))).write(to: URL(fileURLWithPath: file))
            let replay = try Self.measured(["replay", "--pipeline", scratch.pipeline, "--out", scratch.path + "/out", file])
            #expect(replay.status == 0, "\(replay.error)")
            if hostile {
                #expect(replay.error.contains("damaged frame at byte \(corpus.count) (17 bytes skipped)"), "\(replay.error)")
                #expect(replay.error.components(separatedBy: "damaged frame at byte").count - 1 == 2, "\(replay.error)")
            }
            peaks.append(replay.peakKiB)
            events.append(try Self.summary(scratch.path + "/out")["events"] as? Int ?? -1)
        }
        #expect(events[0] == events[1] && events[0] > 0, "the same good events are folded: \(events)")
        #expect(peaks[1] - peaks[0] <= Self.allowance, "peak RSS without bombs \(peaks[0]) KiB, with \(peaks[1]) KiB")
        print("replay peak RSS: \(peaks[0]) KiB without bombs, \(peaks[1]) KiB with them")
    }
}
