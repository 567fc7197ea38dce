internal import TallyPosix
import TallySpool

/// The dead-letter directory holds one NDJSON file per snapshot generation,
/// `dead-letter-<generation, 12 digits>.ndjson`, written completely before that
/// snapshot commits. A consumer restarted after a crash removes the files of
/// generations newer than the snapshot it resumes from, so a line folded again is
/// never dead-lettered twice.
enum DeadLetterFiles {
    static func name(generation: Int64) -> String {
        let digits = String(generation)
        return "dead-letter-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".ndjson"
    }

    static func path(in directory: String, generation: Int64) -> String {
        directory + "/" + name(generation: generation)
    }

    static func generation(of name: String) -> Int64? {
        guard name.hasPrefix("dead-letter-"), name.hasSuffix(".ndjson") else { return nil }
        return Int64(name.dropFirst("dead-letter-".count).dropLast(".ndjson".count))
    }

    /// Removes the files of generations after `generation` (never committed).
    static func removeNewer(than generation: Int64, in directory: String) throws {
        for name in try FileOperations.listIfPresent(directory) {
            if let g = DeadLetterFiles.generation(of: name), g > generation {
                try Posix.remove(directory + "/" + name)
            }
        }
    }
}
