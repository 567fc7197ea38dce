internal import TallyPosix

extension SnapshotDirectory {
    /// The snapshot a writer resumes from, and what was done to find it.
    struct Current {
        var manifest: Manifest
        /// The fold's globals, from the state file (size and CRC-32 checked).
        var globals: [UInt8]
    }

    /// Chooses the current snapshot: the newest manifest that parses and whose state file checks
    /// out. Nothing that cannot be read is deleted:
    ///
    /// - a manifest of a newer format version (written by a newer Tally) is `.newerFormat`;
    /// - damaged manifests (or state files) newer than a good one are moved aside as
    ///   `NAME.damaged`, each with a line in `notes`, and the good one is used;
    /// - when manifests exist and none is good, it is `.corrupt` and everything stays.
    ///
    /// Returns `nil` only when the directory holds no manifest at all.
    func chooseCurrent(notes: inout [String]) throws(SnapshotError) -> Current? {
        var damaged: [(name: String, state: String, why: String)] = []
        for entry in try manifests().reversed() {
            let manifestPath = file(entry.name)
            do throws(SnapshotError) {
                let manifest = try Manifest.read(path: manifestPath)
                let globals = try manifest.readState(directory: path)
                for bad in damaged {
                    let movedTo = try moveAside(bad.name)
                    if try io({ try Posix.lstat(file(bad.state)) }) != nil { _ = try moveAside(bad.state) }
                    notes.append("\(bad.why); using snapshot \(manifest.generation) instead, the damaged one moved aside as \(file(movedTo))")
                }
                return Current(manifest: manifest, globals: globals)
            } catch where error.code == .corrupt {
                damaged.append((entry.name, Self.stateName(generation: entry.generation), error.message))
            }
        }
        guard let newest = damaged.first else { return nil }
        throw SnapshotError(
            code: .corrupt,
            message: "no readable snapshot in \(path): \(newest.why) (and \(damaged.count - 1) older ones are damaged too); "
                + "nothing was deleted: restore the directory from a backup, or move it away to start afresh",
            path: path)
    }

    /// Removes the state files of generations after `generation` (a write cut short).
    func removeStateFiles(after generation: Int64) throws(SnapshotError) {
        for name in try io({ try Posix.listDirectory(path) }) {
            if let found = Self.generation(fromStateName: name), found > generation {
                try io { try Posix.remove(file(name)) }
            }
        }
    }

    /// Keeps the newest `keep` manifests; removes older manifests and their state files and
    /// fsyncs the directory. Returns the oldest generation kept (`nil`: nothing to prune).
    func pruneFiles(keep: Int) throws(SnapshotError) -> Int64? {
        let manifests = try manifests()
        guard manifests.count > keep else { return nil }
        let oldestKept = manifests[manifests.count - keep].generation
        for entry in manifests.prefix(manifests.count - keep) {
            try? Posix.remove(file(entry.name))
        }
        for name in try io({ try Posix.listDirectory(path) }) {
            if let generation = Self.generation(fromStateName: name), generation < oldestKept {
                try? Posix.remove(file(name))
            }
        }
        try io { try FileOperations.syncDirectory(path) }
        return oldestKept
    }
}
