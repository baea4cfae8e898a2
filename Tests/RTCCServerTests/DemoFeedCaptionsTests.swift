import Foundation
import RTCCCore
import Testing

@testable import RTCCServer

/// The demo's simulated feeds carry their camera's name, so the wall shows which camera is which.
@Suite struct DemoFeedCaptionsTests {
    @Test func everyDemoFeedIsCaptionedWithTheNameOfTheCameraThatUsesIt() throws {
        let city = DemoCity(now: Date(timeIntervalSince1970: 1_795_000_000), streamBase: "rtsp://127.0.0.1:8554")
        let captions = DemoSeeder.captions(of: city)
        let streamed = (city.partners.flatMap(\.cameras) + city.cityCameras).filter { $0.mainStreamURL != nil }
        #expect(captions.count == streamed.count)
        #expect(Set(captions.keys) == Set(1...streamed.count), "feeds are numbered 1…\(streamed.count) without holes")
        // Read the other way round: feed 7 is the camera whose URL ends in /cam007.
        for camera in streamed {
            let url = try #require(camera.mainStreamURL)
            let number = try #require(Int(url.suffix(3)), "\(url)")
            #expect(url.hasSuffix(String(format: "/cam%03d", number)))
            #expect(captions[number] == camera.name, "feed \(number)")
        }
        #expect(Set(captions.values).count > streamed.count / 2, "captions tell most cameras apart")
    }
}
