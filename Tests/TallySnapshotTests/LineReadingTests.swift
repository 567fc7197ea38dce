import Foundation
import Testing
import TallyPosix

/// `FileOperations.forEachLine`, the bounded line reader under `tally query invalid`.
@Suite struct LineReadingTests {
    static func lines(of bytes: [UInt8], maxLineBytes: Int = 1 << 20, stopAfter: Int = .max) throws -> [String] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var seen: [String] = []
        try FileOperations.forEachLine(path, maxLineBytes: maxLineBytes) { line in
            seen.append(String(decoding: line, as: UTF8.self))
            return seen.count < stopAfter
        }
        return seen
    }

    @Test func linesAcrossPiecesOverlongLinesAndAnUnterminatedLast() throws {
        // Lines that straddle the 64 KiB pieces, an empty line, a last line without its newline.
        let long = String(repeating: "x", count: 70_000)
        let text = "a\n" + long + "\n\nb\n" + String(repeating: "y", count: 65_530) + "\nlast"
        #expect(try Self.lines(of: Array(text.utf8)) == ["a", long, "", "b", String(repeating: "y", count: 65_530), "last"])
        // With a bound below the long lines, they are passed over whole, neighbours kept.
        #expect(try Self.lines(of: Array(text.utf8), maxLineBytes: 60_000) == ["a", "", "b", "last"])
        let overlongLast = "a\n" + String(repeating: "z", count: 200_000)
        #expect(try Self.lines(of: Array(overlongLast.utf8), maxLineBytes: 1000) == ["a"])
        // The reader stops when asked.
        #expect(try Self.lines(of: Array("1\n2\n3\n".utf8), stopAfter: 2) == ["1", "2"])
    }

    @Test func aSymlinkOrAFIFOIsNotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-lines-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: directory + "/target"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/target")
        #expect(throws: SystemError.self) { try FileOperations.forEachLine(directory + "/link") { _ in true } }
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        #expect(throws: SystemError.self) { try FileOperations.forEachLine(directory + "/fifo") { _ in true } }
    }
}
