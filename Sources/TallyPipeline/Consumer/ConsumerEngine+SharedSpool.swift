internal import TallyPosix
import TallySnapshot
import TallySpool

/// The consumer among others on one spool: the spool's identity, the consumer's registration,
/// and segment retention that holds back what any recently registered consumer has not folded.
extension ConsumerEngine {
    /// Deletes the segments retention allows (see ``SegmentRetention``) and forgets the cursor
    /// entries of writers whose every segment is finished and gone.
    func applyRetention(_ listing: [Spool.Segment]) {
        var remaining = listing
        if let oldest = keptCursors.first, let floor = oldest.cursor {
            let registrations = (try? ConsumerRegistration.all(in: settings.spool)) ?? []
            let others = SegmentRetention.others(
                registrations, except: writer.identity, retentionMs: settings.retentionSegmentsMs, nowMs: Self.nowMs())
            for name in others.unreadable where !reportedNonSegments.contains(name) {
                reportedNonSegments.insert(name)
                logger.warning("retention holds every segment back: a recent consumer registration in \(settings.spool) cannot be read: \(name)")
            }
            let doomed = SegmentRetention.deletable(
                listing, oldestKept: floor, others: others, retentionMs: settings.retentionSegmentsMs, nowMs: Self.nowMs())
            var deleted = Set<String>()
            for segment in doomed {
                do {
                    try Posix.remove(segment.path)
                    deleted.insert(segment.path)
                    fold.forgetFrameFiles([settings.spool + "/" + segment.id.fileName])
                } catch {
                    logger.warning("cannot delete folded segment: \(error)")
                }
            }
            if !deleted.isEmpty {
                logger.info("retention: deleted \(deleted.count) folded segments (folded into snapshot \(oldest.generation) and older than \(settings.retentionSegmentsMs) ms)")
                remaining.removeAll { deleted.contains($0.path) }
            }
        }
        forgetGoneStreams(remaining)
    }

    /// Refuses a spool of another identity than the one the snapshot folded (exit 2, both
    /// directories named); learns the identity once the spool exists (creating it if none).
    func checkSpoolIdentity() throws {
        guard spoolIdentity == nil, (try? Posix.stat(settings.spool))?.isDirectory == true else { return }
        let found: String
        do {
            found = try SpoolIdentity.establish(in: settings.spool)
        } catch {
            if recordedSpoolIdentity != nil { throw ConsumerError(code: .io, message: "cannot read the identity of the spool \(settings.spool): \(error)", path: settings.spool) }
            return   // an older spool the consumer may not write to: nothing recorded, nothing to compare
        }
        if let recorded = recordedSpoolIdentity, recorded != found {
            throw ConsumerError(
                code: .incompatible,
                message: "the snapshots in \(settings.snapshots) folded a spool of identity \(recorded), but the spool \(settings.spool) "
                    + "has identity \(found): it is another spool; give this pipeline a snapshot directory of its own",
                path: settings.snapshots)
        }
        spoolIdentity = found
    }

    /// Registers in the spool what this consumer still needs (the cursor of its oldest kept
    /// snapshot), so that other consumers' retention keeps it (see ``SegmentRetention``).
    func register() {
        guard spoolIdentity != nil, let floor = keptCursors.first?.cursor else { return }
        let registration = ConsumerRegistration(consumer: writer.identity, updatedAtMs: Self.nowMs(), cursor: floor)
        do {
            try registration.write(in: settings.spool)
            if registrationFailure != nil { logger.info("registered in the spool \(settings.spool) again") }
            registrationFailure = nil
        } catch {
            if registrationFailure == nil { logger.warning("cannot register in the spool (other consumers' retention may delete what this one has not folded): \(error)") }
            registrationFailure = error.description
        }
    }

}
