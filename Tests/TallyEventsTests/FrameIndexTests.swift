import Testing
import TallyCore

@Suite struct FrameIndexTests {
    @Test func aFrameListTakesAFewBytesAFrameAndCountsItsEvents() throws {
        var list = FrameList()
        for _ in 0..<5 { list.note(FrameRef(file: 0, offset: 0)) }
        list.note(FrameRef(file: 0, offset: 70_000))
        list.note(FrameRef(file: 3, offset: 12))
        list.note(FrameRef(file: 0, offset: 70_000))
        #expect(list.bytes.count <= 16)   // four entries, about four bytes each
        let decoded = try FrameList.decode(list.bytes)
        #expect(decoded.frames.map(\.ref) == [FrameRef(file: 0, offset: 0), FrameRef(file: 0, offset: 70_000), FrameRef(file: 3, offset: 12)])
        #expect(decoded.frames.map(\.events) == [5, 2, 1])
        #expect(FrameList(bytes: list.bytes).bytes == list.bytes)
    }

    @Test func forgettingAFileCountsItsEventsAsForgotten() throws {
        var fold = FoldState(settings: FoldSettings())
        var decoder = EventDecoder()
        func add(_ text: String, path: String, offset: Int64) {
            fold.setCurrentFrame(path: path, offset: offset)
            guard case .event(let event) = decoder.decode(Array(text.utf8)) else { Issue.record("not an event"); return }
            fold.fold(event)
        }
        add(#"{"type":"message","ts":1,"session_id":"s","role":"user"}"#, path: "/a", offset: 0)
        add(#"{"type":"message","ts":2,"session_id":"s","role":"user"}"#, path: "/a", offset: 0)
        add(#"{"type":"message","ts":3,"session_id":"s","role":"user"}"#, path: "/b", offset: 9)
        var changes = fold.takeFrameChanges()
        #expect(changes.newFiles.map(\.path) == ["/a", "/b"] && changes.sessions.count == 1)
        #expect(fold.forgetFrameFiles(["/a"]) == 1)
        changes = fold.takeFrameChanges()
        #expect(changes.goneFiles == [0])
        let decoded = try FrameList.decode(try #require(changes.sessions.first).frames)
        #expect(decoded.forgotten == 2 && decoded.frames.map(\.ref) == [FrameRef(file: 1, offset: 9)])
    }

    @Test func mergedPartsKeepEveryFrameUnderTheMergedFileIDs() throws {
        var decoder = EventDecoder()
        func event(_ ts: Int, _ session: String) -> Event {
            guard case .event(let event) = decoder.decode(Array(#"{"type":"log","ts":\#(ts),"session_id":"\#(session)","level":"info","message":"m"}"#.utf8))
            else { fatalError("not an event") }
            return event
        }
        var one = FoldState(settings: FoldSettings())
        one.setCurrentFrame(path: "/x", offset: 5)
        one.fold(event(1, "s"))
        var two = FoldState(settings: FoldSettings())
        two.setCurrentFrame(path: "/y", offset: 7)
        two.fold(event(2, "s"))
        two.fold(event(3, "t"))
        one.merge(two)
        let changes = one.takeFrameChanges()
        let lists = Dictionary(uniqueKeysWithValues: changes.sessions.map { ($0.sessionID, $0.frames) })
        #expect(try FrameList.decode(try #require(lists["s"])).frames.map(\.ref) == [FrameRef(file: 0, offset: 5), FrameRef(file: 1, offset: 7)])
        #expect(try FrameList.decode(try #require(lists["t"])).frames.map(\.ref) == [FrameRef(file: 1, offset: 7)])
        #expect(one.frameFilePath(1) == "/y")
    }
}
