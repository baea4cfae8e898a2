import RTCCEvidence
import Testing

@Suite struct EvidenceModuleTests {
    @Test func packageFormatVersionIsOne() {
        #expect(RTCCEvidence.packageFormatVersion == 1)
    }
}
