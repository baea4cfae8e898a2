import Foundation
import Logging
import NIOCore

extension SimulatedCamera {
    /// The RTP identity of the stream; a restart draws a new one.
    struct StreamState {
        var ssrc = UInt32.random(in: 1 ... .max)
        var sequenceNumber = UInt16.random(in: .min ... .max)
        var timestampBase = UInt32.random(in: .min ... .max)
        var packetCount: UInt32 = 0
        var octetCount: UInt32 = 0
        var start: ContinuousClock.Instant
        var lastReport: ContinuousClock.Instant?

        init(start: ContinuousClock.Instant) {
            self.start = start
        }
    }

    /// Sends the clip in a loop, paced by the wall clock, until the task is cancelled.
    ///
    /// A ``CameraSimulator`` drives its cameras from one ticker task instead, which spares each camera its own timer.
    public func run() async {
        guard !clip.accessUnits.isEmpty else { return }
        let clock = ContinuousClock()
        var generator = Generator(camera: self, start: clock.now)
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: generator.nextDue)
            } catch {
                return  // cancelled
            }
            generator.sendDueFrames(now: clock.now)
        }
    }

    /// One camera's stream as it goes out: the RTP identity and the next frame. A value owned by the one task that
    /// drives the camera, so sending needs no lock beyond the camera's switches.
    struct Generator {
        let camera: SimulatedCamera
        private var state: StreamState
        private var frame = 0
        private var stalled = false

        /// Starts the stream at `start` (its first frame is due then).
        init(camera: SimulatedCamera, start: ContinuousClock.Instant) {
            self.camera = camera
            self.state = StreamState(start: start)
            camera.setSSRC(state.ssrc)
            camera.logger.debug("simulated camera started", metadata: ["ssrc": "\(state.ssrc)"])
        }

        /// When the next frame is due.
        var nextDue: ContinuousClock.Instant { state.start + camera.frameOffset(frame) }

        /// Sends every frame due by `now`, obeying the switches (restart, stall) first.
        mutating func sendDueFrames(now: ContinuousClock.Instant) {
            guard !camera.clip.accessUnits.isEmpty else { return }
            while nextDue <= now {
                let controls = camera.takeControls()
                if controls.restartRequested {
                    state = StreamState(start: now)
                    camera.setSSRC(state.ssrc)
                    frame = 0
                    camera.fanOut.resynchronize()
                }
                if now - nextDue > .seconds(1) {
                    // Far behind (a suspended or overloaded host): skip to the present like a live camera, not burst.
                    frame = camera.currentFrame(state: state, now: now)
                    camera.fanOut.resynchronize()
                }
                if let until = controls.stalledUntil, until > now {
                    stalled = true
                    frame += 1
                    continue
                }
                if stalled {
                    stalled = false
                    camera.fanOut.resynchronize()
                }
                camera.send(frame: frame, state: &state, now: now)
                frame += 1
            }
        }
    }

    /// The decode-order frame due now.
    fileprivate func currentFrame(state: StreamState, now: ContinuousClock.Instant) -> Int {
        let elapsed = now - state.start
        return Int((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * clip.frameRate)
    }

    /// The time of decode-order frame `frame` after the stream's start.
    fileprivate func frameOffset(_ frame: Int) -> Duration {
        .nanoseconds(Int64((Double(frame) * 1e9 / clip.frameRate).rounded()))
    }

    /// The RTP timestamp of presentation-order frame `index`.
    private func timestamp(presentation index: Int, state: StreamState) -> UInt32 {
        state.timestampBase &+ UInt32(truncatingIfNeeded: Int64((Double(index) * 90_000 / clip.frameRate).rounded()))
    }

    fileprivate func send(frame: Int, state: inout StreamState, now: ContinuousClock.Instant) {
        let count = clip.accessUnits.count
        let index = frame % count
        let unit = clip.accessUnits[index]
        let rtpTimestamp = timestamp(presentation: (frame / count) * count + unit.presentationIndex, state: state)
        let framePayloads = payloads[index]
        guard fanOut.viewerCount > 0 else {
            // Nobody is watching: keep the counters moving without building packets.
            state.sequenceNumber &+= UInt16(truncatingIfNeeded: framePayloads.count)
            state.packetCount &+= UInt32(truncatingIfNeeded: framePayloads.count)
            state.octetCount &+= UInt32(truncatingIfNeeded: framePayloads.reduce(0) { $0 + $1.count })
            return
        }
        var packets: [RTSPMediaPacket] = []
        packets.reserveCapacity(framePayloads.count)
        for (position, payload) in framePayloads.enumerated() {
            let bytes = RTPPacketWriter.buffer(
                payload: payload, marker: position == framePayloads.count - 1, payloadType: configuration.payloadType,
                sequenceNumber: state.sequenceNumber, timestamp: rtpTimestamp, ssrc: state.ssrc)
            state.sequenceNumber &+= 1
            state.packetCount &+= 1
            state.octetCount &+= UInt32(truncatingIfNeeded: payload.count)
            packets.append(RTSPMediaPacket(track: 0, bytes: bytes))
        }
        var report: RTSPMediaPacket?
        if unit.isKeyframe || state.lastReport.map({ now - $0 >= configuration.senderReportInterval }) ?? true {
            report = senderReport(state: state, now: now)
            state.lastReport = now
        }
        fanOut.publish(packets, senderReport: report, isKeyframe: unit.isKeyframe)
    }

    /// An RTCP sender report mapping the wall clock now to the RTP clock (RFC 3550 section 6.4.1).
    private func senderReport(state: StreamState, now: ContinuousClock.Instant) -> RTSPMediaPacket {
        let elapsed = now - state.start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let frames = seconds * clip.frameRate - Double(reorderDelay)
        let rtp = state.timestampBase &+ UInt32(truncatingIfNeeded: Int64((frames * 90_000 / clip.frameRate).rounded()))
        let report = RTCPSenderReport(
            ssrc: state.ssrc, ntpTimestamp: RTCPSenderReport.ntpTimestamp(for: Date().addingTimeInterval(clockOffset)), rtpTimestamp: rtp,
            packetCount: state.packetCount, octetCount: state.octetCount)
        var bytes = ByteBuffer()
        bytes.writeBytes(report.serialized())
        return RTSPMediaPacket(track: 0, isRTCP: true, bytes: bytes)
    }
}
