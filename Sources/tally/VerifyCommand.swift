import ArgumentParser
import TallySnapshot
import TallySpool

/// `tally verify PATH...`: checks segment files frame by frame.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check segment files: frames, checksums, torn tails.",
        discussion: """
            PATH is a segment file (or any .zst file) or a spool directory (its .zst and \
            .zst.open files). Prints one line per file: state, frames, lines, and each damaged \
            frame or torn tail with its byte offset. Exits 1 if anything is damaged (a torn tail \
            of an abandoned segment counts; an incomplete last frame of a segment whose writer \
            is still running does not), 0 otherwise.
            """)

    @Argument(help: "Segment files or spool directories.")
    var paths: [String]

    func run() throws {
        let files = try SegmentVerifier.files(in: paths)
        var damaged = false
        var stdout = StandardOutput()
        for path in files {
            do {
                let report = try SegmentVerifier.verify(path: path)
                stdout.line(TableText.printable("\(report)"))  // a file name may hold terminal escapes
                stdout.flush()  // each file's line as it is checked, beside the errors of the others
                damaged = damaged || report.isDamaged
            } catch {
                // Said here, and the other files are still checked.
                StandardError.line("tally: \(error)")
                damaged = true
            }
        }
        if damaged { throw ExitCode.failure }
    }
}
