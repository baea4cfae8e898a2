import Foundation
import RTCCCore
import Testing

@Suite struct CameraInterchangeTests {
    let header = "name,kind,latitude,longitude,heading_deg,main_stream_url,tags\n"

    @Test func csvImportReadsEveryColumn() throws {
        let csv = header + "Texas St,city,32.51,-93.75,45,rtsp://u:p@10.0.0.1/main,downtown;intersection\n\"Milam, St\",city,32.5,-93.7,90,,\n"
        let cameras = try CameraInterchange.parseCSV(csv)
        #expect(cameras.count == 2)
        #expect(cameras[0].draft.tags == ["downtown", "intersection"])
        #expect(cameras[0].mainCredentials?.username == "u")
        #expect(cameras[1].draft.name == "Milam, St")
    }

    @Test func oneBadRowRejectsTheFileAndNamesItsLine() {
        let csv = header + "A,city,32.5,-93.7,0,,\nB,city,132.5,-93.7,0,,\nC,city,32.5,-93.7,0,,\n"
        do {
            _ = try CameraInterchange.parseCSV(csv)
            Issue.record("expected a validation error")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors[0].field == "line 3: location.latitude")
        }
    }

    @Test func lineNumbersCountQuotedLineBreaks() {
        let csv = header + "\"A\nsecond line\",city,32.5,-93.7,0,,\nB,spaceship,32.5,-93.7,0,,\n"
        do {
            _ = try CameraInterchange.parseCSV(csv)
            Issue.record("expected a validation error")
        } catch {
            #expect(error.errors.map(\.field) == ["line 4: kind"])
        }
    }

    @Test(arguments: [
        ("not a number", "A,city,abc,-93.7,0,,\n", "line 2: latitude"),
        ("wrong field count", "A,city,32.5\n", "line 2"),
        ("duplicate name", "A,city,32.5,-93.7,0,,\na,city,32.5,-93.7,0,,\n", "line 3: name"),
        ("bad url", "A,city,32.5,-93.7,0,ftp://x,\n", "line 2: mainStreamURL"),
        ("unterminated quote", "\"A,city,32.5,-93.7,0,,\n", "line 2"),
    ])
    func badRowIsReportedWithItsLine(_ label: String, rows: String, field: String) {
        do {
            _ = try CameraInterchange.parseCSV(header + rows)
            Issue.record("\(label): expected a validation error")
        } catch {
            #expect(error.errors.first?.field == field, "\(label): \(error.errors)")
        }
    }

    @Test func unknownColumnIsRejected() {
        #expect(throws: ValidationError.self) { try CameraInterchange.parseCSV("name,kind,latitude,longitude,colour\nA,city,1,2,red\n") }
    }

    @Test func exportThenImportRoundTripsCSVAndGeoJSON() throws {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let camera = Camera(
            id: UUID(), name: "Fair gate, north", kind: .temporary, partnerID: nil, location: GeoPoint(latitude: 32.48, longitude: -93.79),
            mountHeightM: 9, headingDeg: 180, fieldOfViewDeg: 80, rangeM: 90, mainStreamURL: "rtsp://10.1.1.1/a", subStreamURL: nil,
            hasCredentials: true, sharing: .live, retentionDays: 30, activeWindow: ActiveWindow(from: now, until: now.addingTimeInterval(86_400)),
            tags: ["fair", "gate"], createdAt: now, updatedAt: now)
        let fromCSV = try CameraInterchange.parseCSV(CameraInterchange.csv([camera]))
        #expect(fromCSV.first?.draft.name == camera.name)
        #expect(fromCSV.first?.draft.activeWindow == camera.activeWindow)
        #expect(fromCSV.first?.draft.tags == camera.tags)
        let fromGeoJSON = try CameraInterchange.parseGeoJSON(try CameraInterchange.geoJSON([camera]))
        #expect(fromGeoJSON.first?.draft.location == camera.location)
        #expect(fromGeoJSON.first?.draft.headingDeg == 180)
    }

    @Test func geoJSONFeatureWithoutPointIsNamed() {
        let json = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-93.7,32.5]},"properties":{"name":"A","kind":"city"}},{"type":"Feature","geometry":null,"properties":{"name":"B","kind":"city"}}]}"#
        do {
            _ = try CameraInterchange.parseGeoJSON(Data(json.utf8))
            Issue.record("expected failure")
        } catch {
            #expect(error.errors.map(\.field) == ["features[1]"])
        }
    }
}
