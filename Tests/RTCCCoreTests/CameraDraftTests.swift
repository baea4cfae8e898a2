import Foundation
import RTCCCore
import Testing

@Suite struct CameraDraftTests {
    let downtown = GeoPoint(latitude: 32.5115, longitude: -93.7488)

    @Test func validDraftSplitsCredentialsFromTheStreamURL() throws {
        let draft = CameraDraft(name: "  Texas St  ", kind: .city, location: downtown, mainStreamURL: "rtsp://admin:p%40ss@10.0.0.5:554/main")
        let valid = try draft.validated()
        #expect(valid.draft.name == "Texas St")
        #expect(valid.draft.mainStreamURL == "rtsp://10.0.0.5:554/main")
        #expect(valid.mainCredentials == StreamCredentials(username: "admin", password: "p@ss"))
        #expect(StreamURL.withCredentials("rtsp://10.0.0.5:554/main", valid.mainCredentials) == "rtsp://admin:p%40ss@10.0.0.5:554/main")
    }

    static func broken(_ field: String) -> CameraDraft {
        var d = CameraDraft(name: "Cam", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7))
        switch field {
        case "location.latitude": d.location.latitude = 91
        case "location.longitude": d.location.longitude = -180.5
        case "headingDeg": d.headingDeg = 360
        case "fieldOfViewDeg": d.fieldOfViewDeg = 0
        case "rangeM": d.rangeM = .infinity
        case "mountHeightM": d.mountHeightM = -1
        case "retentionDays": d.retentionDays = 0
        case "name": d.name = "   "
        case "mainStreamURL": d.mainStreamURL = "http://cam/x"
        case "subStreamURL": d.subStreamURL = "rtsp:///x"
        case "partnerID": d.kind = .partner
        case "activeWindow": d.kind = .temporary
        case "tags": d.tags = ["a,b"]
        default: break
        }
        return d
    }

    @Test(arguments: [
        "location.latitude", "location.longitude", "headingDeg", "fieldOfViewDeg", "rangeM", "mountHeightM", "retentionDays", "name",
        "mainStreamURL", "subStreamURL", "partnerID", "activeWindow", "tags",
    ])
    func outOfRangeFieldIsNamed(_ field: String) {
        do {
            _ = try Self.broken(field).validated()
            Issue.record("\(field): expected a validation error")
        } catch {
            #expect(error.errors.map(\.field) == [field])
        }
    }

    @Test func activeWindowMustEndAfterItStarts() {
        let now = Date()
        var draft = CameraDraft(name: "Fair", kind: .temporary, location: downtown, activeWindow: ActiveWindow(from: now, until: now))
        #expect(throws: ValidationError.self) { try draft.validated() }
        draft.activeWindow = ActiveWindow(from: now, until: now.addingTimeInterval(60))
        #expect(throws: Never.self) { try draft.validated() }
    }

    @Test func decodingFillsDefaultsForOptionalFields() throws {
        let json = #"{"name":"A","kind":"city","location":{"latitude":1,"longitude":2}}"#
        let draft = try JSONCoding.decoder.decode(CameraDraft.self, from: Data(json.utf8))
        #expect(draft.sharing == .live)
        #expect(draft.retentionDays == 30)
        #expect(draft.fieldOfViewDeg == 90)
    }

    @Test func decodingErrorNamesTheField() {
        let json = #"{"name":"A","kind":"city","location":{"latitude":"north","longitude":2}}"#
        do {
            _ = try JSONCoding.decoder.decode(CameraDraft.self, from: Data(json.utf8))
            Issue.record("expected failure")
        } catch {
            #expect(JSONCoding.describe(error) == "location.latitude must be of type number")
        }
    }
}

@Suite struct CredentialCipherTests {
    @Test func sealedCredentialsOpenOnlyWithTheSameKey() throws {
        let cipher = try CredentialCipher(base64Key: CredentialCipher.generateKey())
        let secrets = CameraSecrets(main: StreamCredentials(username: "u", password: "secret-pw"), sub: nil)
        let sealed = try cipher.seal(secrets)
        #expect(!sealed.contains("secret-pw"))
        #expect(try cipher.open(CameraSecrets.self, from: sealed) == secrets)
        let other = try CredentialCipher(base64Key: CredentialCipher.generateKey())
        #expect(throws: CredentialCipher.Failure.self) { try other.open(CameraSecrets.self, from: sealed) }
    }

    @Test func shortKeyIsRejected() {
        #expect(throws: CredentialCipher.Failure.self) { try CredentialCipher(base64Key: Data(repeating: 1, count: 16).base64EncodedString()) }
        #expect(throws: CredentialCipher.Failure.self) { try CredentialCipher(base64Key: "not base64!") }
    }

    @Test func tokensAreRandomAndDigestsAreStable() {
        let a = SecretToken.generate(prefix: "rtcc_")
        let b = SecretToken.generate(prefix: "rtcc_")
        #expect(a != b)
        #expect(a.hasPrefix("rtcc_") && a.count > 40)
        #expect(SecretToken.digest(a) == SecretToken.digest(a))
        #expect(SecretToken.digest(a).count == 64)
    }
}
