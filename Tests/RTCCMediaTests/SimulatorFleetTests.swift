import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

/// How the simulator sends: one picture per write, cameras of a fleet spread over a frame interval.
@Suite(.timeLimit(.minutes(2))) struct SimulatorFleetTests {
    @Test func eachGroupAViewerGetsIsOnePictureWithItsSenderReportFirst() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            var groups: [[RTSPMediaPacket]] = []
            for try await group in simulator.cameras[0].makePacketGroups() {
                groups.append(group)
                if groups.count == 60 { break }
            }
            var timestamps: [UInt32] = []
            var reports = 0
            for group in groups {
                // A sender report may lead the group, never follow a video packet.
                let video = group.drop { $0.isRTCP }
                reports += group.count - video.count
                #expect(!video.isEmpty && video.allSatisfy { !$0.isRTCP })
                let packets = try video.map { try RTPPacket(parsing: $0.bytes) }
                #expect(Set(packets.map(\.timestamp)).count == 1, "one picture per group")
                #expect(packets.last?.marker == true)
                #expect(packets.dropLast().allSatisfy { !$0.marker })
                timestamps += packets.prefix(1).map(\.timestamp)
            }
            #expect(Set(timestamps).count == groups.count, "no picture is split over two groups")
            #expect(reports >= 1)
        }
    }

    @Test func aFleetStartsSpreadOverOneFrameInterval() {
        // Four cameras at 25 fps: 40 ms between frames, so starts 10 ms apart.
        let phases = (0..<4).map { SimulatorTicker.phase(of: $0, among: 4, frameRate: 25) }
        #expect(phases == [.zero, .milliseconds(10), .milliseconds(20), .milliseconds(30)])
        #expect(SimulatorTicker.phase(of: 0, among: 0, frameRate: 25) == .zero)
    }
}
