import Testing
import TallyCore

/// `ts`: RFC 3339 with a mandatory offset, or integer epoch milliseconds.
@Suite struct TimestampTests {
    typealias H = DecoderHarness

    @Test func utcTimesConvertToEpochMilliseconds() {
        #expect(H.timestamp(#""2025-10-23T14:30:00.123Z""#) == 1_761_229_800_123)
        #expect(H.timestamp(#""2025-10-23T14:30:00Z""#) == 1_761_229_800_000)
        #expect(H.timestamp(#""1970-01-01T00:00:00Z""#) == 0)
        #expect(H.timestamp(#""1969-12-31T23:59:59.999Z""#) == -1)
    }

    @Test func offsetsAreApplied() {
        #expect(H.timestamp(#""2025-10-23T20:00:00.123+05:30""#) == 1_761_229_800_123)
        #expect(H.timestamp(#""2025-10-23T06:30:00-08:00""#) == 1_761_229_800_000)
        #expect(H.timestamp(#""2025-10-23T14:30:00-00:00""#) == 1_761_229_800_000)
        #expect(H.timestamp(#""2025-10-23T14:30:00+00:00""#) == 1_761_229_800_000)
    }

    @Test func separatorAndZoneLettersMayBeLowerCaseOrSpace() {
        #expect(H.timestamp(#""2025-10-23t14:30:00z""#) == 1_761_229_800_000)
        #expect(H.timestamp(#""2025-10-23 14:30:00Z""#) == 1_761_229_800_000)
    }

    @Test func fractionsOfAnyLengthAreTruncatedToMilliseconds() {
        #expect(H.timestamp(#""2025-10-23T14:30:00.1Z""#) == 1_761_229_800_100)
        #expect(H.timestamp(#""2025-10-23T14:30:00.12Z""#) == 1_761_229_800_120)
        #expect(H.timestamp(#""2025-10-23T14:30:00.1239Z""#) == 1_761_229_800_123)
        #expect(H.timestamp(#""2025-10-23T14:30:00.999999999Z""#) == 1_761_229_800_999)
        #expect(H.timestamp(#""2025-10-23T14:30:00.9999999999999Z""#) == 1_761_229_800_999)
        #expect(H.timestamp(#""1969-12-31T23:59:59.9999Z""#) == -1)  // truncated toward the past
    }

    @Test func leapDaysFollowTheGregorianRules() {
        #expect(H.timestamp(#""2024-02-29T00:00:00Z""#) == 1_709_164_800_000)
        #expect(H.timestamp(#""2000-02-29T12:00:00Z""#) == 951_825_600_000)
        #expect(H.timestampReason(#""2023-02-29T00:00:00Z""#) == .badTimestamp)
        #expect(H.timestampReason(#""1900-02-29T00:00:00Z""#) == .badTimestamp)
    }

    @Test func leapSecondOnlyAt2359UTCCountsAsTheNextSecond() {
        #expect(H.timestamp(#""2016-12-31T23:59:60Z""#) == 1_483_228_800_000)
        #expect(H.timestamp(#""2016-12-31T23:59:60.5Z""#) == 1_483_228_800_500)
        #expect(H.timestamp(#""2017-01-01T05:29:60+05:30""#) == 1_483_228_800_000)
        #expect(H.timestampReason(#""2016-12-31T12:00:60Z""#) == .badTimestamp)
    }

    @Test func yearsZeroThroughNineThousandNineHundredNinetyNine() {
        #expect(H.timestamp(#""0001-01-01T00:00:00Z""#) == -62_135_596_800_000)
        #expect(H.timestamp(#""9999-12-31T23:59:59.999Z""#) == 253_402_300_799_999)
        #expect(H.timestampReason(#""9999-12-31T23:59:59-01:00""#) == .badTimestamp)  // year 10000 in UTC
    }

    @Test func malformedTextIsBadTs() {
        let bad = [
            "2025-10-23T14:30:00", "2025-10-23", "2025-10-23T14:30Z", "2025-13-01T00:00:00Z",
            "2025-00-01T00:00:00Z", "2025-04-31T00:00:00Z", "2025-10-00T00:00:00Z", "2025-10-23T24:00:00Z",
            "2025-10-23T14:60:00Z", "2025-10-23T14:30:61Z", "2025-10-23T14:30:00.Z", "2025-10-23T14:30:00+0530",
            "2025-10-23T14:30:00+24:00", "2025-10-23T14:30:00+05:60", "2025-10-23T14:30:00ZZ",
            "2025-10-23x14:30:00Z", "25-10-23T14:30:00Z", "2025-1-23T14:30:00Z", "+2025-10-23T14:30:00Z",
            "2025-10-23T14:30:00 Z", " 2025-10-23T14:30:00Z", "2025-10-23T14:30:00.123Z ", "",
            "1761229800123",
        ]
        for text in bad {
            #expect(H.timestampReason("\"\(text)\"") == .badTimestamp, "\(text)")
        }
    }

    @Test func integerEpochMilliseconds() {
        #expect(H.timestamp("1761229800123") == 1_761_229_800_123)
        #expect(H.timestamp("0") == 0)
        #expect(H.timestamp("-1") == -1)
        #expect(H.timestamp("253402300799999") == 253_402_300_799_999)
        #expect(H.timestampReason("253402300800000") == .badTimestamp)
        #expect(H.timestamp("-62167219200000") == -62_167_219_200_000)
        #expect(H.timestampReason("-62167219200001") == .badTimestamp)
        #expect(H.timestampReason("99999999999999999999") == .badTimestamp)
    }

    @Test func nonIntegerNumbersAreBadTsAndOtherTypesWrongType() {
        #expect(H.timestampReason("1761229800123.0") == .badTimestamp)
        #expect(H.timestampReason("1.761229800123e12") == .badTimestamp)
        #expect(H.timestampReason("true") == .wrongType)
        #expect(H.timestampReason("{}") == .wrongType)
        #expect(H.timestampReason("null") == .missingField)
    }

    @Test func escapedTimestampTextIsUnescapedFirst() {
        #expect(H.timestamp(#""2025-10-23T14:30:00\u002e123Z""#) == 1_761_229_800_123)
    }
}
