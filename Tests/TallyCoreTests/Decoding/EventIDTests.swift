import Testing
@testable import TallyCore

/// An `event_id`'s fingerprint is persisted in snapshot state files, so it must not change between
/// builds or machines: these values were computed independently of the Swift code.
@Suite struct EventIDTests {
    @Test func fingerprintsAreStable() {
        let expected: [(text: String, high: UInt64, low: UInt64)] = [
            ("", 0x2542_51E8_3453_0A0F, 0x7066_580E_5D2B_4CCF),
            ("e1", 0xB130_C367_8314_B4EA, 0x6B3D_5C5E_1206_3DBB),
            ("evt_8474436599ab6cc0", 0x2F61_E106_5A81_760C, 0x55EA_A533_6C1D_28EF),
            ("évènement-0123456789-abcdef", 0xFDE8_76F6_E65F_5FE8, 0x5205_A041_143D_A1E5),
        ]
        for (text, high, low) in expected {
            let id = EventID(text)
            #expect(id.high == high, "\(text)")
            #expect(id.low == low, "\(text)")
        }
    }
}
