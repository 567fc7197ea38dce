import TallySpool

/// A piece of one input that one decode thread reads: a run of whole zstd frames, or a whole file.
/// Units are smaller than files so that two threads finish together however the files' sizes split.
///
/// ```swift
/// let units = ReplayUnit.plan(inputs, targetBytes: 1 << 20)
/// // unit.input: index into inputs; frames unit.start..<unit.end; unit.isLast carries the file's end
/// ```
///
/// A finished spool segment (not `.zst.open`) is cut at frame starts found by walking frame headers
/// (`SegmentReader.frameStarts`); the last unit runs from its start to the end of the file and
/// reports how reading ended (torn tail, end offset). An active segment, any other `.zst` file
/// and a plain file are one unit.
struct ReplayUnit: Sendable, Hashable {
    /// Index of the input file.
    var input: Int
    /// A frame start (0 for a whole file).
    var start: Int64
    /// For all but a file's last unit: the first frame start past this unit, and the frames in between.
    var end: Int64?
    var frames: Int
    /// Compressed (or plain) bytes covered, for ordering.
    var bytes: Int64

    /// The file's last (or only) unit: it reads to the end and reports the end.
    var isLast: Bool { end == nil }

    /// Cuts `inputs` into units of about `targetBytes`; whole-file units first, largest first.
    static func plan(_ inputs: [ReplayInput], targetBytes: Int64) -> [ReplayUnit] {
        var whole: [ReplayUnit] = []
        var pieces: [ReplayUnit] = []
        for (index, input) in inputs.enumerated() {
            let wholeFile = ReplayUnit(input: index, start: 0, end: nil, frames: .max, bytes: input.size)
            // Only spool segments are cut: their frames hold whole lines. Another .zst file may
            // split a line across frames, so it is read by one unit that carries the pieces.
            guard input.kind == .zstd, input.segment != nil, !SegmentID.isActiveFileName(input.path), input.size > targetBytes,
                let starts = try? SegmentReader(path: input.path).frameStarts(from: 0).starts,
                !starts.isEmpty
            else {
                whole.append(wholeFile)
                continue
            }
            var first = 0
            while first < starts.count {
                var next = first + 1
                while next < starts.count && starts[next] - starts[first] < targetBytes { next += 1 }
                if next == starts.count {
                    // The rest, including whatever follows the walked frames, is the last unit.
                    pieces.append(ReplayUnit(
                        input: index, start: starts[first], end: nil, frames: .max, bytes: input.size - starts[first]))
                } else {
                    pieces.append(ReplayUnit(
                        input: index, start: starts[first], end: starts[next], frames: next - first,
                        bytes: starts[next] - starts[first]))
                }
                first = next
            }
        }
        whole.sort { $0.bytes > $1.bytes }
        return whole + pieces
    }
}
