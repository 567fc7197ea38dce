internal import TallyPosix
/// Checks segment files frame by frame.
///
/// ```swift
/// for path in try SegmentVerifier.files(in: ["spool"]) {
///     let report = try SegmentVerifier.verify(path: path)
///     print(report)          // spool/api.W.00000001.zst: sealed, 12 frames, 4096 lines, ok
///     if report.isDamaged { exitCode = 1 }
/// }
/// ```
public enum SegmentVerifier {
    /// What one file holds.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var state: SegmentReader.End.State
        public var frames = 0
        public var lines = 0
        /// Decompressed bytes of the intact frames.
        public var bytes: Int64 = 0
        public var damaged: [SegmentReader.Damage] = []
        /// Set for sealed and abandoned files whose last frame is incomplete.
        public var tornTail: SegmentReader.TornTail?

        /// Damaged frames, or a torn tail that nobody will finish. An incomplete last
        /// frame of a segment being written is not damage.
        public var isDamaged: Bool { !damaged.isEmpty || tornTail != nil }

        /// One line: path, state, counts, then each problem with its byte offset.
        public var description: String {
            let stateText: String
            switch state {
            case .sealed: stateText = "sealed"
            case .beingWritten: stateText = "being written"
            case .abandoned: stateText = "abandoned"
            }
            var s = "\(path): \(stateText), \(frames) frames, \(lines) lines"
            for d in damaged { s += "; damaged frame at byte \(d.offset) (\(d.length) bytes skipped: \(d.reason))" }
            if let t = tornTail { s += "; torn tail at byte \(t.offset) (\(t.length) bytes)" }
            if !isDamaged { s += ", ok" }
            return s
        }
    }

    /// Reads every frame of `path`, counting frames and lines and collecting damage.
    public static func verify(path: String) throws(SpoolError) -> Report {
        let reader: SegmentReader
        do throws(SpoolError) {
            reader = try SegmentReader(path: path)
        } catch where error.errno == 2 && SegmentID.isActiveFileName(path) {
            reader = try SegmentReader(path: SegmentID.sealedPath(ofActive: path)!)   // sealed since listed
        }
        var report = Report(path: path, state: .sealed)
        do {
            let end = try reader.read(from: 0) { event in
                switch event {
                case .frame(let frame):
                    report.frames += 1
                    report.lines += try frame.lineCount()
                    report.bytes += frame.contentBytes
                case .damaged(let damage):
                    report.damaged.append(damage)
                }
            }
            report.state = end.state
            report.tornTail = end.tornTail
        } catch let error as SpoolError {
            throw error
        } catch {
            throw SpoolError(code: .io, operation: "cannot verify", message: "\(error)", path: path)
        }
        return report
    }

    /// Expands `paths`: files as given, directories to their `.zst` and `.zst.open`
    /// files (not recursive), in segment order.
    public static func files(in paths: [String]) throws(SpoolError) -> [String] {
        var result: [String] = []
        for path in paths {
            guard let st = try io({ try Posix.stat(path) }) else { throw SpoolError(SystemError("cannot verify", path, errno: 2)) }
            guard st.isDirectory else {
                result.append(path)
                continue
            }
            let names = try io { try Posix.listDirectory(path) }.filter {
                !$0.hasPrefix(".") && SegmentID.hasSegmentSuffix($0)
            }
            let sorted = names.sorted { a, b in
                switch (SegmentID(fileName: a), SegmentID(fileName: b)) {
                case let (x?, y?): return x == y ? a < b : x < y
                default: return a < b
                }
            }
            let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
            result += sorted.map { dir + "/" + $0 }
        }
        return result
    }
}
