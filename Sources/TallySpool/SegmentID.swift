/// The identity of one segment: which producer, which writer, which of that writer's segments.
///
/// A segment keeps its identity when it is sealed: `api.W.00000003.zst.open` and
/// `api.W.00000003.zst` are the same ``SegmentID``. IDs sort by producer, then
/// writer (writer IDs begin with the writer's UTC start time), then sequence, so
/// sorting a producer's segments puts each writer's lines in the order it wrote them.
///
/// ```swift
/// let id = SegmentID(fileName: "api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst")!
/// id.producer   // "api"
/// id.sequence   // 3
/// id.fileName   // "api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst"
/// ```
public struct SegmentID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The producer name given to the writer (`[A-Za-z0-9_-]+`).
    public let producer: String
    /// Unique per writer instance, also across restarts: `<UTC start>_<µs>Z-<pid>-<random>`.
    public let writer: String
    /// 1, 2, 3, ... in the order the writer filled its segments.
    public let sequence: UInt64

    static let sealedSuffix = ".zst"
    static let activeSuffix = ".zst.open"

    public init(producer: String, writer: String, sequence: UInt64) {
        self.producer = producer
        self.writer = writer
        self.sequence = sequence
    }

    /// Parses a sealed (`.zst`) or active (`.zst.open`) segment file name; `nil` for any other name.
    public init?(fileName: String) {
        var base = Substring(fileName)
        if base.hasSuffix(Self.activeSuffix) {
            base = base.dropLast(Self.activeSuffix.count)
        } else if base.hasSuffix(Self.sealedSuffix) {
            base = base.dropLast(Self.sealedSuffix.count)
        } else {
            return nil
        }
        let parts = base.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, SegmentID.isValidName(parts[0]), SegmentID.isValidName(parts[1]),
            !parts[2].isEmpty, parts[2].allSatisfy({ $0.isASCII && $0.isNumber }), let seq = UInt64(parts[2])
        else { return nil }
        self.init(producer: String(parts[0]), writer: String(parts[1]), sequence: seq)
    }

    /// The sealed file name: `<producer>.<writer>.<sequence, 8 digits>.zst`.
    public var fileName: String {
        let s = String(sequence)
        return producer + "." + writer + "." + String(repeating: "0", count: max(0, 8 - s.count)) + s + Self.sealedSuffix
    }

    /// The file name while the writer still appends to it: ``fileName`` + `.open`.
    public var activeFileName: String { fileName + ".open" }

    /// The hidden name a writer creates the segment under, before it holds the segment's lock
    /// and renames it to ``activeFileName``: `.<fileName>.new`. Readers never list it.
    var temporaryFileName: String { "." + fileName + ".new" }

    /// Whether `name` (a file name or a path) ends like an active or abandoned segment: `.zst.open`.
    package static func isActiveFileName(_ name: some StringProtocol) -> Bool {
        name.hasSuffix(activeSuffix)
    }

    /// Whether `name` ends like a segment file, sealed or not (`.zst` or `.zst.open`), whether or
    /// not the rest of it is a segment name.
    static func hasSegmentSuffix(_ name: some StringProtocol) -> Bool {
        name.hasSuffix(sealedSuffix) || name.hasSuffix(activeSuffix)
    }

    /// The path an active segment's file gets when it is sealed (`….zst.open` → `….zst`);
    /// `nil` for a path that is not an active segment's.
    package static func sealedPath(ofActive path: String) -> String? {
        isActiveFileName(path) ? String(path.dropLast(activeSuffix.count - sealedSuffix.count)) : nil
    }

    /// The path a sealed segment's file had while it was active (`….zst` → `….zst.open`);
    /// `nil` for a path that is not a sealed segment's.
    package static func activePath(ofSealed path: String) -> String? {
        path.hasSuffix(sealedSuffix) ? String(path.dropLast(sealedSuffix.count)) + activeSuffix : nil
    }

    public var description: String { fileName }

    public static func < (a: SegmentID, b: SegmentID) -> Bool {
        (a.producer, a.writer, a.sequence) < (b.producer, b.writer, b.sequence)
    }

    /// Producer and writer names: 1...128 of `A-Z a-z 0-9 _ -`.
    static func isValidName(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.utf8.count <= 128
            && s.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
            }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let name = try c.decode(String.self)
        guard let id = SegmentID(fileName: name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a segment name: \(name)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(fileName)
    }
}
