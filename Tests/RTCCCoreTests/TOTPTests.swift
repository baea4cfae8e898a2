import Foundation
import RTCCCore
import Testing

struct TOTPTests {
    /// RFC 6238 appendix B: the SHA-1 secret "12345678901234567890", 8 digits, 30 s steps.
    @Test(arguments: [(59.0, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
                      (2_000_000_000, "69279037"), (20_000_000_000, "65353130")])
    func codesAreTheRFC6238TestVectors(_ time: Double, _ expected: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        #expect(totp.code(at: Date(timeIntervalSince1970: time)) == expected)
    }

    /// RFC 4226 appendix D: HOTP values for counters 0–9 (6 digits).
    @Test func countersGiveTheRFC4226TestVectors() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        #expect((0..<10).map { totp.code(counter: UInt64($0)) } == expected)
    }

    @Test func aCodeMatchesItsOwnStepAndTheNeighboursButNoOther() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = Date(timeIntervalSince1970: 1_790_000_015)
        let step = totp.counter(at: now)
        #expect(totp.matchingCounter(totp.code(at: now), at: now) == step)
        #expect(totp.matchingCounter(totp.code(counter: step - 1), at: now) == step - 1)
        #expect(totp.matchingCounter(totp.code(counter: step + 1), at: now) == step + 1)
        #expect(totp.matchingCounter(totp.code(counter: step - 3), at: now) == nil)
        #expect(totp.matchingCounter("12345", at: now) == nil)
        #expect(totp.matchingCounter("abcdef", at: now) == nil)
        #expect(totp.matchingCounter("١٢٣٤٥٦", at: now) == nil, "digits of other scripts are not codes")
    }

    @Test func base32RoundTripsAndReadsWhatPeopleType() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("mzxw6ytboi======") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW 6YTB OI") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
        for _ in 0..<50 {
            let secret = TOTP.generateSecret()
            #expect(Base32.decode(Base32.encode(secret)) == secret)
        }
    }

    @Test func theEnrolmentURICarriesTheSecretAndIssuer() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.uri(account: "analyst 1", issuer: "OpenRTCC Shreveport")
            == "otpauth://totp/OpenRTCC%20Shreveport:analyst%201?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=OpenRTCC%20Shreveport&algorithm=SHA1&digits=6&period=30")
    }
}
