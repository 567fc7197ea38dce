import Testing
@testable import TallyCore

@Suite struct RetentionQueueTests {
    @Test func entriesPopInDueOrderAndOnlyBelowTheWatermark() {
        var queue = RetentionQueue()
        for (due, id) in [(30, "c"), (10, "a"), (50, "e"), (20, "b"), (40, "d")] { queue.push(dueAt: Int64(due), sessionID: id) }
        var popped: [String] = []
        while let id = queue.popDue(before: 35) { popped.append(id) }
        #expect(popped == ["a", "b", "c"])
        #expect(queue.count == 2)
        while let id = queue.popDue(before: .max) { popped.append(id) }
        #expect(popped == ["a", "b", "c", "d", "e"])
    }

    @Test func entriesDueTogetherPopInSessionIDOrderWhateverTheOrderTheyCameIn() {
        let ids = (0..<40).map { "s\($0)" }
        var forward = RetentionQueue()
        var backward = RetentionQueue()
        for id in ids { forward.push(dueAt: 7, sessionID: id) }
        for id in ids.reversed() { backward.push(dueAt: 7, sessionID: id) }
        var merged = RetentionQueue()
        merged.merge(forward)
        merged.merge(backward)
        func drain(_ queue: inout RetentionQueue) -> [String] {
            var popped: [String] = []
            while let id = queue.popDue(before: 8) { popped.append(id) }
            return popped
        }
        let sorted = ids.sorted()
        #expect(drain(&forward) == sorted)
        #expect(drain(&backward) == sorted)
        #expect(drain(&merged) == sorted.flatMap { [$0, $0] })
    }
}
