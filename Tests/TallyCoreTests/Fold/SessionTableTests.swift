import Testing
@testable import TallyCore

@Suite struct SessionTableTests {
    @Test func recentPositionFollowsARemovalThatMovesTheLastState() {
        var table = SessionTable()
        table.insert(SessionState(id: "session-number-one", timestamp: 1))
        table.insert(SessionState(id: "session-number-two", timestamp: 2))
        #expect(table.recentPosition(of: "session-number-one") == 0)
        #expect(table.recentPosition(of: "session-number-two") == 1)
        // Removing the first moves the second into its place: the remembered position 1 is stale.
        #expect(table.remove("session-number-one")?.firstTimestamp == 1)
        #expect(table.recentPosition(of: "session-number-two") == 0)
        #expect(table.recentPosition(of: "session-number-one") == nil)
        #expect(table.insert(SessionState(id: "session-number-one", timestamp: 3)) == 1)
        #expect(table.recentPosition(of: "session-number-one") == 1)
        #expect(table.states[1].firstTimestamp == 3)
    }
}
