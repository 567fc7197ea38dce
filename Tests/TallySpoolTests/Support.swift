import Foundation
import Testing
import TallyTestSupport
@testable import TallySpool

/// A fresh directory under the temporary directory, removed by `cleanup()`.
struct TempDir {
    let path: String
    init(_ name: String = #function) {
        path = try! freshDirectory("spool", test: name)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

/// Every line of every segment of a spool, per segment, in segment order.
func readSpool(_ dir: String) throws -> [(Spool.Segment, [String], SegmentReader.End)] {
    let spool = Spool(directory: dir)
    return try spool.segments().map { segment in
        let reader = try spool.reader(for: segment.id)
        var lines: [String] = []
        let end = try reader.read { event in
            if case .frame(let frame) = event {
                try frame.forEachLine { lines.append(String(decoding: $0.bytes, as: UTF8.self)) }
            }
        }
        return (segment, lines, end)
    }
}

/// Runs a program, returning its exit status and standard output.
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}

/// `zstd -t FILE` passes.
func zstdTestPasses(_ path: String) throws -> Bool {
    try run("/usr/bin/zstd", ["-q", "-t", path]).0 == 0
}

func zstdcat(_ path: String) throws -> Data {
    try run("/usr/bin/zstd", ["-q", "-d", "-c", path]).1
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
}
