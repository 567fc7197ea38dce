import TallyPosix
import Dispatch
import Foundation
import Testing
import TallyCore
import TallyCorpus
@testable import TallyPipeline

@Suite struct FoldBacklogTests {
    static let settings = FoldSettings()

    /// Valid events of a generated corpus, in batches of `batchSize`, each with its shard among two.
    static func batches(events: Int, batchSize: Int) -> [(events: [Event], parts: [UInt8])] {
        var decoder = EventDecoder()
        var decoded: [Event] = []
        let bytes = CorpusGenerator.bytes(CorpusConfiguration(seed: 11, events: events))
        for line in bytes.split(separator: 0x0A) {
            if case .event(let event) = decoder.decode(Array(line)) { decoded.append(event) }
        }
        return stride(from: 0, to: decoded.count, by: batchSize).map { start in
            let batch = Array(decoded[start..<min(start + batchSize, decoded.count)])
            return (batch, batch.map { FoldShards.shard(of: $0, count: 2) })
        }
    }

    static func fold(_ batches: [(events: [Event], parts: [UInt8])]) -> FoldState {
        var fold = FoldState(settings: settings)
        for batch in batches { for event in batch.events { fold.fold(event) } }
        return fold
    }

    /// Events a state took in, duplicates included.
    static func folded(_ state: FoldState) -> Int64 {
        state.summary().events + state.summary().duplicates
    }

    @Test func aBusyShardGetsItsEventsLaterAndNothingIsLostOrFoldedTwice() throws {
        let batches = Self.batches(events: 3_000, batchSize: 200)
        #expect(batches.count > 6)
        let shards = FoldShards(count: 2, settings: Self.settings)
        var backlog = FoldBacklog(shards: shards, firstTry: 1)
        let early = batches.prefix(3)
        let eventsFor = { (shard: UInt8, batches: ArraySlice<(events: [Event], parts: [UInt8])>) in
            batches.reduce(Int64(0)) { $0 + Int64($1.parts.count { $0 == shard }) }
        }
        // While another holder has shard 1, the batches go to shard 0 and wait for shard 1.
        shards.withShard(1) { held in
            for batch in early { backlog.fold(batch.events, parts: batch.parts) }
            #expect(Self.folded(held) == 0)
        }
        #expect(shards.withShard(0) { Self.folded($0) } == eventsFor(0, early))
        #expect(shards.withShard(1) { Self.folded($0) } == 0)
        // The next batch finds shard 1 free and folds what waited too.
        for batch in batches.dropFirst(3) { backlog.fold(batch.events, parts: batch.parts) }
        backlog.finish()
        let all = batches[...]
        #expect(shards.withShard(1) { Self.folded($0) } == eventsFor(1, all))

        var taken = ShardChanges(settling: try #require(shards.takeStates()))
        let merged = taken.merged()
        var whole = Self.fold(batches)
        _ = whole.takeChanges()
        #expect(merged.summary() == whole.summary())
        #expect(merged.tools() == whole.tools())
        #expect(merged.models() == whole.models())
        #expect(merged.alerts() == whole.alerts())
        #expect(merged.timeline() == whole.timeline())
        #expect(merged.sessionRows().sorted { $0.sessionID < $1.sessionID } == whole.sessionRows().sorted { $0.sessionID < $1.sessionID })
    }

    @Test func aBacklogPastItsLimitWaitsInsteadOfGrowing() throws {
        let batches = Self.batches(events: 3_000, batchSize: 100)
        let shards = FoldShards(count: 2, settings: Self.settings)
        var backlog = FoldBacklog(shards: shards, firstTry: 0)
        // Another thread holds shard 1 for a while: this one decodes on, then waits once more than
        // four batches are behind, and folds everything once the shard is free.
        let holding = Holder(shards: shards, shard: 1)
        holding.start()
        for batch in batches { backlog.fold(batch.events, parts: batch.parts) }
        backlog.finish()
        holding.join()
        var taken = ShardChanges(settling: try #require(shards.takeStates()))
        let merged = taken.merged()
        #expect(merged.summary() == Self.fold(batches).summary())
    }
}

/// Holds one shard's lock on another thread for 50 ms.
private final class Holder: Sendable {
    let shards: FoldShards
    let shard: Int
    let done = DispatchSemaphore(value: 0)

    init(shards: FoldShards, shard: Int) {
        self.shards = shards
        self.shard = shard
    }

    func start() {
        let started = DispatchSemaphore(value: 0)
        Threads.detach { [self] in
            shards.withShard(shard) { _ in
                started.signal()
                usleep(50_000)
            }
            done.signal()
        }
        started.wait()
    }

    func join() { done.wait() }
}
