import Testing
@testable import TallyCore

@Suite struct DedupIndexTests {
    /// The table grows many times over 20,000 ids (from 1,024 slots); every id and every extra
    /// copy it had before a growth is still recognized after it.
    @Test func growingKeepsEveryIdAndItsExtraCopies() {
        let window: Int64 = 1_000
        var index = DedupIndex()
        for id in 0..<20_000 {
            let admitted = index.admit(eventID: EventID("e\(id)"), timestamp: 0, window: window)
            #expect(admitted)
            // A copy of every hundredth id two windows later is folded too: an extra copy.
            if id % 100 == 0 {
                let extra = index.admit(eventID: EventID("e\(id)"), timestamp: 2 * window, window: window)
                #expect(extra)
            }
        }
        #expect(index.count == 20_000)
        var duplicates = 0
        for id in 0..<20_000 where !index.admit(eventID: EventID("e\(id)"), timestamp: window, window: window) {
            duplicates += 1
        }
        #expect(duplicates == 20_000)
        var extraCopiesFound = 0
        for id in stride(from: 0, to: 20_000, by: 100) where !index.admit(eventID: EventID("e\(id)"), timestamp: 3 * window, window: window) {
            extraCopiesFound += 1
        }
        #expect(extraCopiesFound == 200)
        let farCopy = index.admit(eventID: EventID("e1"), timestamp: 3 * window, window: window)
        #expect(farCopy, "e1 had no copy within a window of 3 windows")
        let newID = index.admit(eventID: EventID("new"), timestamp: 0, window: window)
        #expect(newID)
    }

    /// Reserving room moves the remembered ids into the larger table too.
    @Test func reservingKeepsEveryId() {
        var index = DedupIndex()
        for id in 0..<300 { index.admit(eventID: EventID("r\(id)"), timestamp: 10, window: 5) }
        index.reserve(50_000)
        #expect(index.count == 300)
        var duplicates = 0
        for id in 0..<300 where !index.admit(eventID: EventID("r\(id)"), timestamp: 12, window: 5) { duplicates += 1 }
        #expect(duplicates == 300)
    }
}
