import Foundation
import NIOCore
import Testing

@testable import RTCCMedia

/// The simulator's switches and stream properties, observed by ``RTSPClient``.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SimulatorSwitchTests {
    struct Seen: Sendable {
        var packets: [(packet: RTPPacket, arrival: ContinuousClock.Instant)] = []
        var senderReports: [RTCPSenderReport] = []
        var switchedAt: ContinuousClock.Instant?
        var mostViewers = 0
    }

    @Test func stallStopsPacketsButKeepsTheConnection() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let seen = SimulatorRecorder(Seen())
            try await simulatorWatch(url: simulator.url(camera: 1), seconds: 20, until: "packets after a 1.5 s stall") { event in
                switch event {
                case .rtp(_, let bytes, _):
                    let now = ContinuousClock.now
                    let packet = try RTPPacket(parsing: bytes)
                    let state = seen.update { seen in
                        seen.packets.append((packet, now))
                        return (seen.packets.count, seen.switchedAt)
                    }
                    if state.0 == 50 {
                        try simulator.stall(camera: 1, for: .milliseconds(1500))
                        seen.update { $0.switchedAt = ContinuousClock.now }
                    }
                    if let switchedAt = state.1, now - switchedAt > .milliseconds(1600) { return true }
                case .ended(let reason):
                    Issue.record("session ended during a stall: \(reason)")
                    return true
                default: break
                }
                return false
            }
            let result = seen.value
            let switchedAt = try #require(result.switchedAt)
            let during = result.packets.filter { $0.arrival > switchedAt + .milliseconds(150) && $0.arrival < switchedAt + .milliseconds(1400) }
            #expect(during.isEmpty, "\(during.count) packets arrived during the stall")
            let after = result.packets.filter { $0.arrival >= switchedAt + .milliseconds(1400) }
            #expect(!after.isEmpty)
            // The stream resumes at the next keyframe, with timestamps that moved on by about the stall.
            let last = try #require(result.packets.last { $0.arrival < switchedAt + .milliseconds(150) })
            let first = try #require(after.first)
            let gap = Int(first.packet.timestamp &- last.packet.timestamp)
            #expect((90_000...200_000).contains(gap), "timestamp gap \(gap)")
        }
    }

    @Test func dropEndsEveryViewersSession() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(cameras: 2, clip: clip) { simulator in
            let ended = SimulatorRecorder<RTSPSessionEndReason?>(nil)
            let dropped = SimulatorRecorder(false)
            try await simulatorWatch(url: simulator.url(camera: 2), until: "the session to end after drop()") { event in
                switch event {
                case .rtp:
                    if !dropped.update({ value in
                        defer { value = true }
                        return value
                    }) {
                        try simulator.drop(camera: 2)
                    }
                case .ended(let reason):
                    ended.update { $0 = reason }
                    return true
                default: break
                }
                return false
            }
            #expect(ended.value == .failed(.connectionClosed))
            // The camera accepts viewers again right away.
            let again = try await rtspCollect(url: simulator.url(camera: 2), count: 20)
            #expect(again.rtpPackets[0, default: []].count >= 20)
        }
    }

    @Test func offlineCameraRefusesNewSessionsWith503() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(cameras: 3, clip: clip) { simulator in
            try simulator.setOnline(camera: 3, false)
            let refused = try await rtspCollect(url: simulator.url(camera: 3), count: 1)
            #expect(refused.ended == .failed(.unexpectedStatus(method: .describe, statusCode: 503)))
            let other = try await rtspCollect(url: simulator.url(camera: 1), count: 5)
            #expect(other.ended == nil)
            try simulator.setOnline(camera: 3, true)
            let back = try await rtspCollect(url: simulator.url(camera: 3), count: 5)
            #expect(back.ended == nil && back.rtpPackets[0, default: []].count >= 5)
        }
    }

    @Test func restartChangesSSRCAndJumpsTimestamps() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let seen = SimulatorRecorder(Seen())
            try await simulatorWatch(url: simulator.url(camera: 1), until: "packets from the restarted camera") { event in
                guard case .rtp(_, let bytes, _) = event else { return false }
                let packet = try RTPPacket(parsing: bytes)
                let count = seen.update { seen in
                    seen.packets.append((packet, .now))
                    return seen.packets.count
                }
                if count == 30 { try simulator.restart(camera: 1) }
                return count > 30 && packet.ssrc != seen.value.packets[0].packet.ssrc
            }
            let packets = seen.value.packets.map(\.packet)
            let before = try #require(packets.first)
            let after = try #require(packets.last)
            #expect(after.ssrc != before.ssrc)
            #expect(after.ssrc == simulator.cameras[0].ssrc)
            #expect(Set(packets.map(\.ssrc)).count == 2)
        }
    }

    @Test func viewersShareOneGeneratorAndGetSenderReports() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let camera = simulator.cameras[0]
            let results = try await withThrowingTaskGroup(of: Seen.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let seen = SimulatorRecorder(Seen())
                        try await simulatorWatch(url: simulator.url(camera: 1), until: "60 packets and a sender report") { event in
                            switch event {
                            case .rtp(_, let bytes, _):
                                let packet = try RTPPacket(parsing: bytes)
                                seen.update { $0.packets.append((packet, .now)) }
                            case .rtcp(_, let bytes, _):
                                let reports = try RTCPSenderReport.senderReports(inCompound: Array(bytes.readableBytesView))
                                seen.update { $0.senderReports += reports }
                            default: break
                            }
                            let value = seen.update { seen in
                                seen.mostViewers = max(seen.mostViewers, camera.viewerCount)
                                return seen
                            }
                            return value.packets.count >= 60 && !value.senderReports.isEmpty && value.mostViewers == 3
                        }
                        return seen.value
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.flatMap { $0.packets.map(\.packet.ssrc) }) == [camera.ssrc])
            for result in results {
                #expect(result.senderReports.allSatisfy { $0.ssrc == camera.ssrc })
                // Each viewer starts at a keyframe (with its parameter sets aggregated first) and misses nothing.
                let first = try #require(result.packets.first?.packet)
                #expect(first.payload.first.map(H264NALUnitType.of) == H264NALUnitType.stapA)
                let sequence = result.packets.map(\.packet.sequenceNumber)
                #expect(zip(sequence, sequence.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
            }
        }
    }

    @Test func timestampsAndSequenceNumbersKeepIncreasingAcrossLoops() async throws {
        // One-second clip: keyframes every second must be 90 000 ticks apart, loop after loop.
        let clip = try await SimulatorFixture.clip(seconds: 1)
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let keyframeTimestamps = SimulatorRecorder<[UInt32]>([])
            let sequence = SimulatorRecorder<[UInt16]>([])
            try await simulatorWatch(url: simulator.url(camera: 1), until: "four keyframes") { event in
                guard case .rtp(_, let bytes, _) = event else { return false }
                let packet = try RTPPacket(parsing: bytes)
                sequence.update { $0.append(packet.sequenceNumber) }
                guard packet.payload.first.map(H264NALUnitType.of) == H264NALUnitType.stapA else { return false }
                return keyframeTimestamps.update { stamps in
                    stamps.append(packet.timestamp)
                    return stamps.count >= 4
                }
            }
            let stamps = keyframeTimestamps.value
            #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $1 &- $0 == 90_000 }, "keyframe timestamps \(stamps)")
            let numbers = sequence.value
            #expect(zip(numbers, numbers.dropFirst()).allSatisfy { $1 == $0 &+ 1 })
        }
    }
}
