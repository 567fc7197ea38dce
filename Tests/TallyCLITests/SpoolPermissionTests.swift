import Foundation
import Testing
import TallySpool

import Glibc

/// `tally append` creates spool directories 0750 and segments 0640 whatever the umask: a consumer
/// in the producers' group reads them, other users do not.
@Suite struct SpoolPermissionTests {
    /// `st_mode & 0o777` of `path` (not following a symlink).
    static func mode(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return -1 }
        return Int(info.st_mode & 0o777)
    }

    @Test(arguments: ["000", "077", "022"])
    func spoolDirectoriesAre0750AndSegments0640(umask mask: String) throws {
        let scratch = try CLIScratch(pipeline: "")
        defer { scratch.cleanup() }
        let parent = scratch.path + "/new"
        let spool = parent + "/spool"
        let outcome = try tally(["append", "--spool", spool, "--producer", "api"], umask: mask, input: Array("{\"a\":1}\n".utf8))
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(String(Self.mode(parent), radix: 8) == "750", "a missing parent, umask \(mask)")
        #expect(String(Self.mode(spool), radix: 8) == "750", "the spool, umask \(mask)")
        let segments = try Spool(directory: spool).segments()
        #expect(segments.count == 1)
        for segment in segments {
            #expect(String(Self.mode(segment.path), radix: 8) == "640", "\(segment.path), umask \(mask)")
        }
        // An existing directory keeps its mode.
        chmod(spool, 0o775)
        #expect(try tally(["append", "--spool", spool], umask: mask, input: Array("{\"a\":2}\n".utf8)).status == 0)
        #expect(String(Self.mode(spool), radix: 8) == "775")
    }
}
