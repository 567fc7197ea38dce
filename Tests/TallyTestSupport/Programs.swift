import Foundation
import Glibc

// What the test targets that run the built `tally` share: where it is, how to run a program and
// wait for it, and how to wait for a condition without asserting any timing.

/// The built `tally` next to the test bundle (`.build/debug/tally`: CI runs `swift build` first),
/// or "" when it is missing.
public let tallyPath: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // The bundle may be a directory (`*.xctest/…`) or a file next to the products.
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("tally").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    return ""
}()

/// What a finished program gave.
public struct Outcome: Sendable {
    public var status: Int32
    public var output: String
    public var error: String
}

/// Runs `program arguments…` with `input` on standard input and waits for it.
@discardableResult
public func runProgram(_ program: String, _ arguments: [String], input: [UInt8] = []) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let writing = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writing.start()
    let errors = Box<Data>(Data())
    let errorsRead = DispatchSemaphore(value: 0)
    let reading = Thread {
        errors.value = stderr.fileHandleForReading.readDataToEndOfFile()
        errorsRead.signal()
    }
    reading.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errorsRead.wait()
    return Outcome(
        status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
        error: String(decoding: errors.value, as: UTF8.self))
}

/// A value that a thread fills in and another reads after a semaphore says it is there.
public final class Box<Value>: @unchecked Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass (generous: no timing is asserted).
public func eventually(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// A new, empty directory for one test, named after it so that a leftover tells whose it is:
/// `$TMPDIR/tally-KIND-TEST-XXXXXXXX`.
public func freshDirectory(_ kind: String, test name: String) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "tally-\(kind)-\(safe)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
