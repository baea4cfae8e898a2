import Foundation
import Logging
import NIOCore

/// A simulated IP camera: an ``RTSPMediaSource`` that loops a ``SimulatorClip`` forever in real time.
///
/// One generator (``run()``) paces the clip by the wall clock and fans the packets out to every viewer,
/// so a camera costs the same with one viewer or fifty. RTP timestamps and sequence numbers keep increasing
/// across loops; each camera has its own random SSRC. An RTCP sender report goes out with each keyframe
/// and at least every ``Configuration/senderReportInterval``.
///
/// The switches (``drop()``, ``stall(for:)``, ``restart()``, ``setOnline(_:)``) act at once and are safe to
/// call from any task.
///
/// `@unchecked Sendable`: the mutable switch state is read and written only under the camera's lock; everything else
/// is immutable. ``RTSPMediaSource`` asks for packets synchronously, so an actor cannot serve it.
public final class SimulatedCamera: RTSPMediaSource, @unchecked Sendable {
    /// Settings for one camera.
    public struct Configuration: Sendable {
        /// The name shown in the SDP session name and in logs.
        public var name: String
        /// The RTP payload type.
        public var payloadType: UInt8
        /// The largest RTP payload, in bytes.
        public var maximumPayloadSize: Int
        /// The longest gap between RTCP sender reports.
        public var senderReportInterval: Duration
        /// The pictures buffered per viewer before a slow viewer loses the oldest and resynchronises.
        public var viewerBufferPictures: Int

        /// Creates a configuration.
        public init(
            name: String, payloadType: UInt8 = 96, maximumPayloadSize: Int = VideoPacketizer.defaultMaximumPayloadSize,
            senderReportInterval: Duration = .seconds(1), viewerBufferPictures: Int = 512
        ) {
            self.name = name
            self.payloadType = payloadType & 0x7F
            self.maximumPayloadSize = maximumPayloadSize
            self.senderReportInterval = senderReportInterval
            self.viewerBufferPictures = viewerBufferPictures
        }
    }

    /// What the generator reads from the switches before each frame.
    struct Controls: Sendable {
        var online = true
        var stalledUntil: ContinuousClock.Instant?
        var restartRequested = false
        /// Added to the wall clock in sender reports: a camera whose clock is wrong.
        var clockOffset: TimeInterval = 0
    }

    /// The clip looped.
    public let clip: SimulatorClip
    /// The settings.
    public let configuration: Configuration
    /// The description served, with the parameter sets out of band.
    public let sessionDescription: SessionDescription
    /// Each access unit's RTP payloads, prepared once.
    let payloads: [[[UInt8]]]
    let fanOut: CameraFanOut
    /// How many frames a picture may be sent ahead of its presentation time (the clip's reordering depth).
    let reorderDelay: Int
    let logger: Logger
    private let lock = NSLock()
    private var controls = Controls()
    private var currentSSRC: UInt32

    /// Creates a camera; call ``run()`` to start its generator.
    public convenience init(clip: SimulatorClip, configuration: Configuration, logger: Logger = Logger(label: "rtcc.media.simulator")) {
        self.init(clip: clip, payloads: Self.payloads(for: clip, configuration: configuration), configuration: configuration, logger: logger)
    }

    /// Creates a camera with payloads prepared by ``payloads(for:configuration:)`` (shared by cameras looping the same clip).
    init(clip: SimulatorClip, payloads: [[[UInt8]]], configuration: Configuration, logger: Logger) {
        self.clip = clip
        self.configuration = configuration
        self.sessionDescription = Self.describe(clip: clip, configuration: configuration)
        self.payloads = payloads
        self.reorderDelay = clip.accessUnits.enumerated().reduce(0) { max($0, $1.element.presentationIndex - $1.offset) }
        self.fanOut = CameraFanOut(bufferedPictures: configuration.viewerBufferPictures)
        var logger = logger
        logger[metadataKey: "camera"] = "\(configuration.name)"
        self.logger = logger
        self.currentSSRC = UInt32.random(in: 1 ... .max)
    }

    /// Each access unit's RTP payloads under `configuration`'s payload limit.
    static func payloads(for clip: SimulatorClip, configuration: Configuration) -> [[[UInt8]]] {
        let builder = NALPayloadBuilder(codec: clip.codec, maximumPayloadSize: configuration.maximumPayloadSize, aggregates: true)
        return clip.accessUnits.map { builder.payloads(for: $0.nalUnits) }
    }

    /// Whether new sessions are accepted (see ``setOnline(_:)``).
    public var isAvailable: Bool { lock.withLock { controls.online } }

    /// The SSRC of the packets being sent now (changes on ``restart()``).
    public var ssrc: UInt32 { lock.withLock { currentSSRC } }

    /// The number of viewers receiving packets.
    public var viewerCount: Int { fanOut.viewerCount }
    /// Frames owed to this stream's viewers since each one's first keyframe (see ``CameraFanOut/framesOwed``).
    public var framesOwed: Int { fanOut.framesOwed }

    /// The packets for one new viewer, from the next keyframe on.
    public func makePackets() -> any AsyncSequence<RTSPMediaPacket, any Error> & Sendable {
        RTSPFlattenedPacketGroups(groups: fanOut.subscribe(accepting: isAvailable))
    }

    /// The packets for one new viewer, from the next keyframe on, one picture's packets at a time.
    public func makePacketGroups() -> any AsyncSequence<[RTSPMediaPacket], any Error> & Sendable {
        fanOut.subscribe(accepting: isAvailable)
    }

    /// Closes every viewer's connection; viewers may connect again at once.
    public func drop() {
        logger.info("simulated camera drops its viewers")
        fanOut.disconnectAll(RTSPMediaSourceError.closeConnection)
    }

    /// Stops sending packets for `duration` while keeping the connections open; afterwards the stream
    /// resumes at the next keyframe with timestamps that moved on by the time stalled.
    public func stall(for duration: Duration) {
        logger.info("simulated camera stalls", metadata: ["duration": "\(duration)"])
        lock.withLock { controls.stalledUntil = ContinuousClock.now + duration }
    }

    /// Acts as a rebooted camera: a new SSRC, new random RTP timestamp and sequence origins, and the clip from
    /// its start. Connections stay open (combine with ``drop()`` for a camera that also drops them).
    public func restart() {
        logger.info("simulated camera restarts")
        lock.withLock {
            controls.restartRequested = true
            controls.stalledUntil = nil
        }
    }

    /// Sets the camera's clock `offset` seconds off the real time (positive: ahead), as its sender reports tell it.
    public func setClockOffset(_ offset: TimeInterval) {
        logger.info("simulated camera clock set off", metadata: ["offset": "\(offset) s"])
        lock.withLock { controls.clockOffset = offset }
    }

    /// The camera's clock offset, seconds.
    var clockOffset: TimeInterval { lock.withLock { controls.clockOffset } }

    /// Takes the camera offline (new sessions get 503; existing ones continue) or back online.
    public func setOnline(_ online: Bool) {
        logger.info("simulated camera availability changed", metadata: ["online": "\(online)"])
        lock.withLock { controls.online = online }
    }

    /// Reads the switches for the generator, clearing a pending restart.
    func takeControls() -> Controls {
        lock.withLock {
            let current = controls
            controls.restartRequested = false
            if let until = controls.stalledUntil, until <= .now { controls.stalledUntil = nil }
            return current
        }
    }

    func setSSRC(_ ssrc: UInt32) {
        lock.withLock { currentSSRC = ssrc }
    }

    private static func describe(clip: SimulatorClip, configuration: Configuration) -> SessionDescription {
        let payloadType = configuration.payloadType
        let sets = clip.parameterSetsBase64
        var attributes: [SDPAttribute] = []
        switch clip.codec {
        case .h264:
            let sps = clip.parameterSets.first ?? []
            let profileLevel = sps.count >= 4 ? sps[1...3].map { String(format: "%02x", $0) }.joined() : "4d001f"
            attributes.append(SDPAttribute(name: "rtpmap", value: "\(payloadType) H264/90000"))
            let fmtp = "packetization-mode=1;profile-level-id=\(profileLevel);sprop-parameter-sets=\(sets.joined(separator: ","))"
            attributes.append(SDPAttribute(name: "fmtp", value: "\(payloadType) \(fmtp)"))
        case .h265:
            attributes.append(SDPAttribute(name: "rtpmap", value: "\(payloadType) H265/90000"))
            let fmtp = zip(["sprop-vps", "sprop-sps", "sprop-pps"], sets).map { "\($0)=\($1)" }.joined(separator: ";")
            attributes.append(SDPAttribute(name: "fmtp", value: "\(payloadType) \(fmtp)"))
        }
        attributes.append(SDPAttribute(name: "framerate", value: String(format: "%g", clip.frameRate)))
        attributes.append(SDPAttribute(name: "cliprect", value: "0,0,\(clip.height),\(clip.width)"))
        let origin = SDPOrigin(
            username: "-", sessionID: "\(UInt32.random(in: 1 ... .max))", sessionVersion: "1", networkType: "IN", addressType: "IP4",
            address: "127.0.0.1")
        return SessionDescription(
            origin: origin, sessionName: configuration.name, connection: "IN IP4 0.0.0.0",
            attributes: [SDPAttribute(name: "tool", value: "OpenRTCC simulator"), SDPAttribute(name: "range", value: "npt=now-")],
            media: [MediaDescription(type: "video", formats: ["\(payloadType)"], attributes: attributes)])
    }
}
