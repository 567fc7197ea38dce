import Foundation
import TallyTestSupport
import Testing
import TallySpool

import Glibc

/// A small tmpfs, mounted for one test: a disk that fills up. Mounting needs root (CAP_SYS_ADMIN);
/// where it fails the tests that need one are skipped, with a message saying so.
enum Tmpfs {
    static let canMount: Bool = {
        let probe = NSTemporaryDirectory() + "tally-tmpfs-probe-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mount(at: probe, size: "64k") else { return false }
        unmount(probe)
        return true
    }()

    /// Mounts a tmpfs of `size` at `path` (created if missing).
    static func mount(at path: String, size: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (try? runProgram("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path], input: []))?.status == 0
    }

    static func unmount(_ path: String) {
        _ = try? runProgram("/usr/bin/umount", [path], input: [])
    }
}

/// `tally append` that fails says how many lines it kept, so that a retry can skip them.
@Suite struct AppendFailureTests {
    /// Lines that zstd cannot shrink much: random hex.
    static func incompressibleLines(_ count: Int) -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { index in
            let noise = (0..<3).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
            return #"{"type":"log","ts":1761229800000,"level":"info","message":"\#(index) \#(noise)"}"#
        }
    }

    @Test(.enabled(if: Tmpfs.canMount, "mounting a 1 MiB tmpfs needs root: the full-disk test is skipped"))
    func aFullDiskFailsWithTheNumberOfLinesKept() throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let disk = scratch.path + "/disk"
        try #require(Tmpfs.mount(at: disk, size: "1m"))
        defer { Tmpfs.unmount(disk) }
        let spool = disk + "/spool"
        let lines = Self.incompressibleLines(40_000)   // about 3.4 MB, more than 1 MiB compressed
        let outcome = try tally(["append", "--spool", spool, "--producer", "api"], input: Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(outcome.status == 1)
        print("tally append on a full disk: \(outcome.error)", terminator: "")
        let pattern = #/^tally: appended ([0-9,]+) of 40,000 lines to (.+); cannot write (.+): no space left on device\n$/#
        let match = try #require(outcome.error.wholeMatch(of: pattern), "\(outcome.error)")
        #expect(match.2 == spool)
        let kept = try #require(Int(match.1.replacing(",", with: "")))
        #expect(kept > 0 && kept < 40_000)
        // Exactly the first `kept` lines are in complete frames in the spool.
        var stored: [String] = []
        for segment in try Spool(directory: spool).segments() {
            _ = try SegmentReader(path: segment.path).read { event in
                if case .frame(let frame) = event { try frame.forEachLine { stored.append(String(decoding: $0.bytes, as: UTF8.self)) } }
            }
        }
        #expect(stored.count == kept)
        #expect(stored == Array(lines.prefix(kept)))
    }
}
