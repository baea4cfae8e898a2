import Foundation
import RTCCCore
import Testing

/// A camera's picture size and frame rate: validated on the draft, carried through CSV and GeoJSON.
@Suite struct CameraPictureTests {
    static func draft(width: Int? = nil, height: Int? = nil, fps: Double? = nil) -> CameraDraft {
        CameraDraft(
            name: "Cam", kind: .city, location: GeoPoint(latitude: 32.5, longitude: -93.7), horizontalPixels: width, verticalPixels: height,
            framesPerSecond: fps)
    }

    @Test func measuredPictureIsKeptOnTheValidDraft() throws {
        let valid = try Self.draft(width: 3840, height: 2160, fps: 25).validated()
        #expect(valid.draft.horizontalPixels == 3840 && valid.draft.verticalPixels == 2160 && valid.draft.framesPerSecond == 25)
    }

    @Test(arguments: [
        (Int?(8), Int?(480), Double?(nil), ["horizontalPixels"]),
        (Int?(640), Int?(20_000), Double?(nil), ["verticalPixels"]),
        (Int?(640), Int?(nil), Double?(nil), ["verticalPixels"]),
        (Int?(nil), Int?(480), Double?(nil), ["horizontalPixels"]),
        (Int?(nil), Int?(nil), Double?(0), ["framesPerSecond"]),
        (Int?(nil), Int?(nil), Double?(.nan), ["framesPerSecond"]),
        (Int?(1), Int?(nil), Double?(500), ["horizontalPixels", "verticalPixels", "framesPerSecond"]),
    ])
    func badPictureFieldsAreEachNamed(_ width: Int?, _ height: Int?, _ fps: Double?, _ fields: [String]) {
        do {
            _ = try Self.draft(width: width, height: height, fps: fps).validated()
            Issue.record("expected a validation error for \(fields)")
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
    }

    @Test func jsonDraftWithoutPictureFieldsLeavesThemUnknown() throws {
        let json = #"{"name":"A","kind":"city","location":{"latitude":32.5,"longitude":-93.7}}"#
        let draft = try JSONCoding.decoder.decode(CameraDraft.self, from: Data(json.utf8))
        #expect(draft.horizontalPixels == nil && draft.verticalPixels == nil && draft.framesPerSecond == nil)
    }

    @Test func csvReadsPictureColumnsAndNamesABadOne() throws {
        let header = "name,kind,latitude,longitude,horizontal_pixels,vertical_pixels,fps\n"
        let cameras = try CameraInterchange.parseCSV(header + "A,city,32.5,-93.7,1280,720,12.5\nB,city,32.5,-93.7,,,\n")
        #expect(cameras[0].draft.horizontalPixels == 1280 && cameras[0].draft.verticalPixels == 720 && cameras[0].draft.framesPerSecond == 12.5)
        #expect(cameras[1].draft.horizontalPixels == nil && cameras[1].draft.framesPerSecond == nil)
        do {
            _ = try CameraInterchange.parseCSV(header + "A,city,32.5,-93.7,wide,720,\nB,city,32.5,-93.7,1280,720,fast\n")
            Issue.record("expected a validation error")
        } catch {
            #expect(error.errors.map(\.field) == ["line 2: horizontal_pixels", "line 3: fps"])
        }
    }

    @Test func exportThenImportKeepsPictureSizeAndRate() throws {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let camera = Camera(
            id: UUID(), name: "4K corner", kind: .city, partnerID: nil, location: GeoPoint(latitude: 32.48, longitude: -93.79), mountHeightM: 6,
            headingDeg: 90, fieldOfViewDeg: 70, rangeM: 80, mainStreamURL: nil, subStreamURL: nil, hasCredentials: false, sharing: .live,
            retentionDays: 30, activeWindow: nil, tags: [], createdAt: now, updatedAt: now, horizontalPixels: 3840, verticalPixels: 2160,
            framesPerSecond: 29.97)
        for draft in [try CameraInterchange.parseCSV(CameraInterchange.csv([camera]))[0].draft,
            try CameraInterchange.parseGeoJSON(try CameraInterchange.geoJSON([camera]))[0].draft]
        {
            #expect(draft.horizontalPixels == 3840 && draft.verticalPixels == 2160 && draft.framesPerSecond == 29.97)
        }
    }
}
