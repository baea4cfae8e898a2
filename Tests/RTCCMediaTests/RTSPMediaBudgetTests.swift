import Foundation
import NIOCore
import Synchronization
import Testing

@testable import RTCCMedia

@Suite struct RTSPMediaBudgetTests {
    @Test func aSpenderWaitsUntilTheConsumerGivesEnoughBack() async throws {
        let budget = RTSPMediaBudget(capacity: 100)
        await budget.spend(80)
        #expect(budget.available == 20)
        let done = Mutex(false)
        let waiting = Task {
            await budget.spend(50)
            done.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!done.withLock { $0 }, "50 bytes do not fit in the 20 left")
        budget.release(20)
        try await Task.sleep(for: .milliseconds(100))
        #expect(!done.withLock { $0 }, "40 left is still not enough")
        budget.release(20)
        await waiting.value
        #expect(done.withLock { $0 })
        #expect(budget.available == 10)
    }

    @Test func aPacketLargerThanTheWholeBudgetPassesWhenNothingElseWaits() async {
        let budget = RTSPMediaBudget(capacity: 100)
        await budget.spend(250)
        budget.release(250)
        #expect(budget.available == 100, "giving back never makes more than the capacity available")
    }

    @Test func aWaitingSpenderIsLetGoWhenItsTaskIsCancelled() async {
        let budget = RTSPMediaBudget(capacity: 10)
        await budget.spend(10)
        let waiting = Task { await budget.spend(5) }
        try? await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await waiting.value
        budget.reset()
        #expect(budget.available == 10, "a new connection starts with the whole budget")
    }

    /// A consumer that stops for three seconds holds the camera back through TCP instead of losing packets: the client
    /// stops reading once the budget is spent, and every packet arrives, in sequence, when the consumer goes on.
    @Test func aConsumerThatStopsLosesNothingAndTheClientStopsReading() async throws {
        let clip = try await SimulatorFixture.clip()
        try await SimulatorFixture.withSimulator(clip: clip) { simulator in
            let client = try RTSPClient(url: simulator.url(camera: 1), configuration: .init(transport: .tcp, mediaTimeout: .seconds(30)))
            let budget = RTSPMediaBudget(capacity: 32 * 1024)
            let (batches, continuation) = AsyncStream.makeStream(of: [RTSPMediaEvent].self, bufferingPolicy: .unbounded)
            try await rtspWithDeadline(30, "packets after a three-second pause") {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run(batches: continuation, budget: budget) }
                    var sequences: [UInt16] = []
                    var timestamps: [UInt32] = []
                    var paused = false
                    var spentDuringPause = 0
                    var afterPause = ContinuousClock.now
                    loop: for await batch in batches {
                        for case .rtp(_, let bytes, _) in batch {
                            let packet = try RTPPacket(parsing: bytes)
                            sequences.append(packet.sequenceNumber)
                            timestamps.append(packet.timestamp)
                        }
                        budget.release(RTSPMediaBudget.bytes(of: batch))
                        if !paused, sequences.count >= 20 {
                            paused = true
                            try await Task.sleep(for: .seconds(3))
                            spentDuringPause = budget.capacity - budget.available
                            afterPause = .now
                        }
                        if paused, ContinuousClock.now - afterPause > .seconds(3) { break loop }
                    }
                    group.cancelAll()
                    #expect(spentDuringPause > budget.capacity * 3 / 4, "the reader used up the budget and waited (\(spentDuringPause) bytes)")
                    let gaps = zip(sequences, sequences.dropFirst()).filter { $1 != $0 &+ 1 }
                    #expect(gaps.isEmpty, "\(gaps.count) gaps in \(sequences.count) packets")
                    // The pictures sent during the pause came afterwards: the media spans the whole six seconds and more.
                    let span = Double((timestamps.last ?? 0) &- (timestamps.first ?? 0)) / 90_000
                    #expect(span > 5, "\(span) s of media in \(sequences.count) packets")
                }
            }
        }
    }
}
