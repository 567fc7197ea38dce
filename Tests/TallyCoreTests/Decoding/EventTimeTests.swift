import Testing
import TallyCore

@Suite struct EventTimeTests {
    @Test func parsesRFC3339WithOffsetsAndEpochMilliseconds() {
        #expect(EventTime.parse("2025-10-23T14:30:00.123Z") == 1_761_229_800_123)
        #expect(EventTime.parse("2025-10-23T16:30:00.123+02:00") == 1_761_229_800_123)
        #expect(EventTime.parse("2025-10-23T09:30:00.1239-05:00") == 1_761_229_800_123)
        #expect(EventTime.parse("1761229800123") == 1_761_229_800_123)
    }

    @Test func refusesWhatAnEventTimestampMayNotBe() {
        #expect(EventTime.parse("2025-10-23T14:30:00") == nil)      // no offset
        #expect(EventTime.parse("2025-02-29T00:00:00Z") == nil)     // not a leap year
        #expect(EventTime.parse("2025-10-23") == nil)               // a date is not a time
        #expect(EventTime.parse("") == nil)
    }
}
