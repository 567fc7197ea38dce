internal import TallyPosix

/// A consumer's registration in a spool it reads: which segments it has folded, so that the
/// segment retention of every consumer of the spool holds back what another has not folded yet.
///
/// Each consumer (named by its snapshot directory's identity, 16 hex digits) has one hidden file
/// `.tally-consumer-<consumer>` in the spool, replaced atomically at each snapshot (0640, like
/// the segments). It is plain text:
///
/// ```text
/// tally-consumer 1
/// updated_at_ms 1764800000000
/// api.20251023T143000_123456Z-4242-9f3a1c2b.00000003.zst -1
/// web.20251023T143100_000001Z-4300-0a1b2c3d.00000001.zst 4096
/// ```
///
/// one line per writer stream: the segment and offset up to which it has folded (−1: all of that
/// segment), as in ``SpoolCursor``. A consumer whose registration is older than the spool's
/// `retention.segments` holds nothing back any more (it is gone, as with Kafka's offset retention).
public struct ConsumerRegistration: Sendable, Hashable {
    /// The consumer's identity.
    public var consumer: String
    /// When it was written, epoch ms.
    public var updatedAtMs: Int64
    /// What the consumer has folded (and may still resume from).
    public var cursor: SpoolCursor

    public init(consumer: String, updatedAtMs: Int64, cursor: SpoolCursor) {
        self.consumer = consumer
        self.updatedAtMs = updatedAtMs
        self.cursor = cursor
    }

    static let prefix = ".tally-consumer-"
    static let header = "tally-consumer 1"
    /// A registration longer than this is not read (a producer may plant any file in the spool):
    /// a line of about 80 bytes per writer stream, for thousands of streams.
    static let maxBytes = 4 << 20

    /// One registration file as found: read, or there but unreadable (damaged, not a regular file).
    public enum Found: Sendable, Hashable {
        case registered(ConsumerRegistration)
        /// Its name and modification time (epoch ms) and why it cannot be read.
        case unreadable(name: String, modifiedAtMs: Int64, reason: String)
    }

    /// Writes (replaces) this registration in the spool `directory`, atomically and durably.
    public func write(in directory: String) throws(SpoolError) {
        guard SpoolIdentity.isIdentity(Array(consumer.utf8)) else {
            throw SpoolError(code: .invalidArgument, operation: "cannot register", message: "the consumer id is not 16 hex digits", path: directory)
        }
        var text = Self.header + "\nupdated_at_ms \(updatedAtMs)\n"
        for key in cursor.positions.keys.sorted() {
            let position = cursor.positions[key]!
            text += position.segment.fileName + " \(position.offset)\n"
        }
        let path = FileOperations.join(directory, Self.prefix + consumer)
        try io { try FileOperations.writeAtomically(Array(text.utf8), to: path, mode: ActiveSegment.permissions) }
    }

    /// Every registration in the spool `directory` (none when it does not exist).
    public static func all(in directory: String) throws(SpoolError) -> [Found] {
        var found: [Found] = []
        for name in try io({ try FileOperations.listIfPresent(directory) }) where name.hasPrefix(prefix) && !FileOperations.isTemporaryName(name) {
            let consumer = String(name.dropFirst(prefix.count))
            guard SpoolIdentity.isIdentity(Array(consumer.utf8)) else { continue }
            let path = FileOperations.join(directory, name)
            guard let status = try io({ try Posix.lstat(path) }) else { continue }
            do throws(SpoolError) {
                let bytes = try io { try FileOperations.readFile(path, followSymlinks: false, maxBytes: maxBytes) }
                guard let registration = parse(bytes, consumer: consumer) else {
                    found.append(.unreadable(name: name, modifiedAtMs: status.modifiedAt, reason: "not a consumer registration"))
                    continue
                }
                found.append(.registered(registration))
            } catch {
                found.append(.unreadable(name: name, modifiedAtMs: status.modifiedAt, reason: error.message))
            }
        }
        return found
    }

    static func parse(_ bytes: [UInt8], consumer: String) -> ConsumerRegistration? {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == header, lines.last == "" else { return nil }
        let updated = lines[1].split(separator: " ")
        guard updated.count == 2, updated[0] == "updated_at_ms", let updatedAt = Int64(updated[1]) else { return nil }
        var cursor = SpoolCursor()
        for line in lines[2..<(lines.count - 1)] {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let id = SegmentID(fileName: String(parts[0])), let offset = Int64(parts[1]), offset >= -1
            else { return nil }
            cursor.positions[SpoolCursor.streamKey(of: id)] = SpoolPosition(segment: id, offset: offset)
        }
        return ConsumerRegistration(consumer: consumer, updatedAtMs: updatedAt, cursor: cursor)
    }
}
