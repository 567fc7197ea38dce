internal import Glibc
internal import TallyPosix

/// The identity of a spool directory: 16 random hex digits written once into the hidden file
/// `.tally-spool-id` in it (0640, like the segments), the same for every consumer and producer
/// that opens it, and new when the directory is deleted and made again. A snapshot records the
/// identity of the spool it folded, so that a consumer given another spool is refused instead of
/// counting twice.
///
/// ```swift
/// let id = try SpoolIdentity.establish(in: "/var/spool/tally")   // "9f3a1c2b0d4e5f60"
/// try SpoolIdentity.read(in: "/var/spool/tally") == id           // true
/// ```
public enum SpoolIdentity {
    /// The file's name in the spool directory (hidden: readers never list it as a segment).
    static let fileName = ".tally-spool-id"

    /// The spool's identity, created when it has none yet (once, whoever races for it).
    public static func establish(in directory: String) throws(SpoolError) -> String {
        if let existing = try read(in: directory) { return existing }
        let fresh = FileOperations.randomHex() + FileOperations.randomHex()
        _ = try io { try FileOperations.createOnce(Array((fresh + "\n").utf8), at: path(in: directory), mode: ActiveSegment.permissions) }
        guard let written = try read(in: directory) else {
            throw SpoolError(code: .io, operation: "cannot create", message: "the identity file vanished", path: path(in: directory))
        }
        return written
    }

    /// The spool's identity; `nil` when it has none yet. A damaged file (or a symlink) is an error.
    public static func read(in directory: String) throws(SpoolError) -> String? {
        let path = path(in: directory)
        guard try io({ try Posix.lstat(path) }) != nil else { return nil }
        let bytes = try io { try FileOperations.readFile(path, followSymlinks: false, maxBytes: 64) }
        let text = bytes.last == 0x0A ? bytes.dropLast() : bytes[...]
        guard isIdentity(text) else {
            throw SpoolError(code: .io, operation: "cannot read", message: "not a spool identity (16 hex digits)", path: path)
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func path(in directory: String) -> String { FileOperations.join(directory, fileName) }

    /// 16 lower-case hex digits.
    static func isIdentity(_ text: some Collection<UInt8>) -> Bool {
        text.count == 16 && text.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
