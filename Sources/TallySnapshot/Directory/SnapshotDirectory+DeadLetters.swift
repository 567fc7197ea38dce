internal import TallyPosix

extension SnapshotDirectory {
    /// The dead-letter files of one snapshot directory's snapshots, in a dead-letter directory
    /// that other consumers may share: `dead-letter-<identity>-<generation, 12 digits>.ndjson`,
    /// one per generation, named after the snapshot directory's identity. Older builds wrote
    /// `dead-letter-<generation>.ndjson` (no identity): those are read for the generations a
    /// manifest says are its own (`dead_letter_legacy_through`), never deleted.
    ///
    /// ```swift
    /// let files = SnapshotDirectory.DeadLetters(directory: "/var/lib/tally/dead-letter", identity: "0f3a9c2b7d1e4a60")
    /// files.path(generation: 7)   // …/dead-letter-0f3a9c2b7d1e4a60-000000000007.ndjson
    /// ```
    package struct DeadLetters: Sendable {
        /// The dead-letter directory.
        package let directory: String
        /// The snapshot directory's identity.
        package let identity: String

        package init(directory: String, identity: String) {
            self.directory = directory
            self.identity = identity
        }

        package func name(generation: Int64) -> String {
            "dead-letter-" + identity + "-" + SnapshotDirectory.twelveDigits(generation) + ".ndjson"
        }

        package func path(generation: Int64) -> String {
            FileOperations.join(directory, name(generation: generation))
        }

        /// The generation of one of this identity's files, `nil` for any other name.
        package func generation(of name: String) -> Int64? {
            SnapshotDirectory.generation(in: name, prefix: "dead-letter-" + identity + "-", suffix: ".ndjson")
        }

        /// The generation of a file named as older builds named them, `nil` for any other name.
        static func legacyGeneration(of name: String) -> Int64? {
            SnapshotDirectory.generation(in: name, prefix: "dead-letter-", suffix: ".ndjson")
        }

        /// Creates the directory and its missing parents (0700, fsynced into their parents) and
        /// removes the temporary files a killed writer left in it.
        package func create() throws(SnapshotError) {
            _ = try io { try FileOperations.createDirectories(directory, mode: SnapshotDirectory.directoryPermissions, ignoringUmask: true) }
            _ = try io { try FileOperations.removeTemporaryFiles(in: directory) }
        }

        /// Removes this identity's files of generations after `generation` (written for a snapshot
        /// that never committed); other consumers' files are never touched.
        package func removeUncommitted(after generation: Int64) throws(SnapshotError) {
            for name in try io({ try FileOperations.listIfPresent(directory) }) {
                if let found = self.generation(of: name), found > generation {
                    try io { try Posix.remove(FileOperations.join(directory, name)) }
                }
            }
        }

        /// The names a snapshot of `generation` counts, in name order (legacy names first): this
        /// identity's up to `generation`, and legacy ones up to `legacyThrough`.
        func names(through generation: Int64, legacyThrough: Int64) throws(SnapshotError) -> [String] {
            try io { try FileOperations.listIfPresent(directory) }.filter { name in
                if let found = self.generation(of: name) { return found <= generation }
                if let found = Self.legacyGeneration(of: name) { return found <= legacyThrough }
                return false
            }.sorted { a, b in
                let legacyA = Self.legacyGeneration(of: a) != nil && self.generation(of: a) == nil
                let legacyB = Self.legacyGeneration(of: b) != nil && self.generation(of: b) == nil
                return legacyA != legacyB ? legacyA : a < b
            }
        }
    }
}
