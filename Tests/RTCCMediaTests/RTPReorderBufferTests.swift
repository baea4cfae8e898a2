import Testing

@testable import RTCCMedia

struct RTPReorderBufferTests {
    let start = ContinuousClock.now

    func packet(_ sequence: UInt16) -> RTPPacket {
        RTPPacket(payloadType: 96, sequenceNumber: sequence, timestamp: 0, ssrc: 1, payload: [UInt8(truncatingIfNeeded: sequence)])
    }

    func feed(_ sequences: [UInt16], into buffer: inout RTPReorderBuffer, stepMilliseconds: Int = 1) -> [UInt16] {
        var output: [UInt16] = []
        for (index, sequence) in sequences.enumerated() {
            let arrival = start.advanced(by: .milliseconds(index * stepMilliseconds))
            output += buffer.insert(packet(sequence), arrival: arrival).map(\.sequenceNumber)
        }
        return output
    }

    @Test func inOrderPacketsPassStraightThrough() {
        var buffer = RTPReorderBuffer()
        #expect(feed([10, 11, 12, 13], into: &buffer) == [10, 11, 12, 13])
        #expect(buffer.statistics.lost == 0)
        #expect(buffer.heldCount == 0)
    }

    @Test func outOfOrderPacketsAreEmittedInSequence() {
        var buffer = RTPReorderBuffer()
        #expect(feed([1, 3, 4, 2, 5], into: &buffer) == [1, 2, 3, 4, 5])
        #expect(buffer.statistics.reordered == 2)
        #expect(buffer.statistics.lost == 0)
    }

    @Test func sequenceWraparoundKeepsOrder() {
        var buffer = RTPReorderBuffer()
        #expect(feed([65_534, 0, 65_535, 1], into: &buffer) == [65_534, 65_535, 0, 1])
        #expect(buffer.statistics.lost == 0)
    }

    @Test func fullBufferGivesUpOnMissingPacket() {
        var buffer = RTPReorderBuffer(capacity: 3, maximumDelay: .seconds(10))
        #expect(feed([1, 3, 4, 5], into: &buffer) == [1])
        #expect(feed([6], into: &buffer) == [3, 4, 5, 6])
        #expect(buffer.statistics.lost == 1)
        #expect(feed([2], into: &buffer).isEmpty)
        #expect(buffer.statistics.late == 1)
    }

    @Test func heldPacketsExpireAfterMaximumDelay() {
        var buffer = RTPReorderBuffer(capacity: 50, maximumDelay: .milliseconds(100))
        #expect(feed([1, 4, 5], into: &buffer).map { $0 } == [1])
        #expect(buffer.flushExpired(now: start.advanced(by: .milliseconds(50))).isEmpty)
        let released = buffer.flushExpired(now: start.advanced(by: .milliseconds(200))).map(\.sequenceNumber)
        #expect(released == [4, 5])
        #expect(buffer.statistics.lost == 2)
    }

    @Test func duplicatesAreCountedAndDropped() {
        var buffer = RTPReorderBuffer()
        #expect(feed([1, 2, 2, 4, 4, 3, 1], into: &buffer) == [1, 2, 3, 4])
        #expect(buffer.statistics.duplicates == 3)
    }

    @Test func largeJumpRestartsSequence() {
        var buffer = RTPReorderBuffer()
        #expect(feed([1, 2, 30_000, 30_001], into: &buffer) == [1, 2, 30_000, 30_001])
        #expect(buffer.statistics.resets == 1)
        #expect(buffer.statistics.lost == 0)
    }

    @Test func flushEmitsHeldPacketsCountingGaps() {
        var buffer = RTPReorderBuffer(maximumDelay: .seconds(5))
        _ = feed([1, 3, 6], into: &buffer)
        #expect(buffer.flush().map(\.sequenceNumber) == [3, 6])
        #expect(buffer.statistics.lost == 3)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func shuffledWindowComesOutSorted(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let base: UInt16 = 65_500
        var sequences = (0..<200).map { base &+ UInt16($0) }
        // Shuffle inside windows of eight so no packet is further than the capacity from its place.
        for window in stride(from: 1, to: sequences.count, by: 8) {
            let end = min(window + 8, sequences.count)
            sequences[window..<end].shuffle(using: &generator)
        }
        var buffer = RTPReorderBuffer(capacity: 16, maximumDelay: .seconds(10))
        let output = feed(sequences, into: &buffer) + buffer.flush().map(\.sequenceNumber)
        #expect(output == (0..<200).map { base &+ UInt16($0) })
        #expect(buffer.statistics.lost == 0)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func takingInOrderPacketsDirectlyGivesTheSamePacketsAndCountsAsInsertingThem(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var sequences: [UInt16] = []
        var next: UInt16 = 65_000
        // In-order runs broken by losses, reorders, duplicates, late packets and one restart.
        for step in 0..<600 {
            switch Int.random(in: 0..<20, using: &generator) {
            case 0: next &+= 2
            case 1: sequences.append(next &+ 1)
            case 2: sequences.append(next &- 1)
            case 3: sequences.append(next &- 50)
            default: break
            }
            if step == 300 { next &+= 10_000 }
            sequences.append(next)
            next &+= 1
        }
        var plain = RTPReorderBuffer(capacity: 8, maximumDelay: .milliseconds(20))
        var direct = RTPReorderBuffer(capacity: 8, maximumDelay: .milliseconds(20))
        var plainOutput: [UInt16] = []
        var directOutput: [UInt16] = []
        var directlyTaken = 0
        for (index, sequence) in sequences.enumerated() {
            let arrival = start.advanced(by: .milliseconds(index * 3))
            plainOutput += plain.insert(packet(sequence), arrival: arrival).map(\.sequenceNumber)
            if direct.acceptInOrder(sequenceNumber: sequence) {
                directOutput.append(sequence)
                directlyTaken += 1
            } else {
                directOutput += direct.insert(packet(sequence), arrival: arrival).map(\.sequenceNumber)
            }
        }
        plainOutput += plain.flush().map(\.sequenceNumber)
        directOutput += direct.flush().map(\.sequenceNumber)
        #expect(directOutput == plainOutput)
        #expect(direct.statistics == plain.statistics)
        #expect(directlyTaken > sequences.count / 2)
        #expect(directlyTaken < sequences.count)
    }
}
