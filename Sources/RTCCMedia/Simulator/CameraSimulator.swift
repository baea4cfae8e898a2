import Foundation
import Logging
import NIOCore
import NIOPosix

/// A fleet of simulated cameras behind one ``RTSPServer``, for the demo city, tests and benchmarks.
///
/// Camera `n` (1-based) is served at `/camNNN` (`/cam001`…) and its second stream at `/camNNN/sub`
/// (the sub clip if one is given, otherwise the main stream itself).
///
/// ```swift
/// let clip = try await SimulatorClip.generate(codec: .h264, width: 640, height: 360, fps: 25, seconds: 10,
///                                             bitrate: 800_000, into: cacheDirectory)
/// let simulator = try await CameraSimulator(configuration: .init(port: 8554, cameraCount: 20), clip: clip)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await simulator.run() }
///     try simulator.stall(camera: 3, for: .seconds(5))
/// }
/// ```
public actor CameraSimulator {
    /// Settings for a simulator.
    public struct Configuration: Sendable {
        /// The address to listen on.
        public var host: String
        /// The RTSP port; 0 picks a free one (read it from ``CameraSimulator/port``).
        public var port: Int
        /// How many cameras to serve (1…999).
        public var cameraCount: Int
        /// Credentials every request must carry, if any.
        public var authentication: RTSPServerAuthentication?
        /// The longest gap between RTCP sender reports.
        public var senderReportInterval: Duration
        /// The pictures buffered per viewer.
        public var viewerBufferPictures: Int

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 0, cameraCount: Int = 1, authentication: RTSPServerAuthentication? = nil,
            senderReportInterval: Duration = .seconds(1), viewerBufferPictures: Int = 512
        ) {
            self.host = host
            self.port = port
            self.cameraCount = cameraCount
            self.authentication = authentication
            self.senderReportInterval = senderReportInterval
            self.viewerBufferPictures = viewerBufferPictures
        }
    }

    /// The main stream of each camera, camera 1 first.
    public nonisolated let cameras: [SimulatedCamera]
    /// The sub stream of each camera (the main stream itself when no sub clip was given).
    public nonisolated let subStreams: [SimulatedCamera]
    /// The port the server listens on.
    public nonisolated let port: Int
    /// The address the server listens on.
    public nonisolated let host: String
    private let server: RTSPServer
    private let logger: Logger

    /// Binds the RTSP server; call ``run()`` to start serving and generating.
    ///
    /// Camera `n` loops `cameraClips[n]` where given (its own captioned picture, say) and `clip` otherwise.
    public init(
        configuration: Configuration, clip: SimulatorClip, subClip: SimulatorClip? = nil, cameraClips: [Int: SimulatorClip] = [:],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rtcc.media.simulator")
    ) async throws {
        guard (1...999).contains(configuration.cameraCount) else {
            throw SimulatorError.invalidConfiguration("camera count \(configuration.cameraCount) is not in 1…999")
        }
        var cameras: [SimulatedCamera] = []
        var subStreams: [SimulatedCamera] = []
        var sources: [String: any RTSPMediaSource] = [:]
        // Cameras looping the same clip share its prepared payloads.
        let mainPayloads = SimulatedCamera.payloads(for: clip, configuration: Self.cameraConfiguration("", configuration))
        let subStream = subClip.map { ($0, SimulatedCamera.payloads(for: $0, configuration: Self.cameraConfiguration("", configuration))) }
        for number in 1...configuration.cameraCount {
            let path = Self.path(camera: number)
            let own = cameraClips[number].map { ($0, SimulatedCamera.payloads(for: $0, configuration: Self.cameraConfiguration("", configuration))) }
            let main = SimulatedCamera(
                clip: own?.0 ?? clip, payloads: own?.1 ?? mainPayloads, configuration: Self.cameraConfiguration(path, configuration), logger: logger)
            let sub = subStream.map { subClip, payloads in
                SimulatedCamera(
                    clip: subClip, payloads: payloads, configuration: Self.cameraConfiguration(path + "/sub", configuration), logger: logger)
            }
            cameras.append(main)
            subStreams.append(sub ?? main)
            sources[path] = main
            sources[path + "/sub"] = sub ?? main
        }
        self.server = try await RTSPServer.bind(
            configuration: RTSPServer.Configuration(host: configuration.host, port: configuration.port, authentication: configuration.authentication),
            sources: sources, eventLoopGroup: eventLoopGroup, logger: logger)
        self.cameras = cameras
        self.subStreams = subStreams
        self.port = server.port
        self.host = configuration.host
        self.logger = logger
    }

    /// The path of camera `number` (1-based): `/cam001`.
    public static func path(camera number: Int) -> String {
        "/cam" + String(format: "%03d", number)
    }

    /// The URL of camera `number` (1-based), its sub stream if `sub`.
    public nonisolated func url(camera number: Int, sub: Bool = false) -> String {
        "rtsp://\(host):\(port)\(Self.path(camera: number))\(sub ? "/sub" : "")"
    }

    /// Serves and generates until the task is cancelled.
    public func run() async throws {
        logger.info("camera simulator running", metadata: ["port": "\(port)", "cameras": "\(cameras.count)"])
        let server = server
        let generators = cameras + subStreams.filter { sub in !cameras.contains { $0 === sub } }
        let ticker = SimulatorTicker(cameras: generators)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.run() }
            group.addTask { await ticker.run() }
        }
    }

    /// Closes the listening socket of a simulator that was bound but never run.
    public func close() async {
        await server.close()
    }

    /// Frames owed to the viewers of every main stream, each counted from the viewer's first keyframe, over every
    /// viewer there has been: what recorders that lost nothing would hold. Benchmarks count lost frames against it.
    public nonisolated var framesOwed: Int { cameras.reduce(0) { $0 + $1.framesOwed } }

    // The switches below touch only immutable properties and each camera's own lock, so they are nonisolated: a
    // command reaches its cameras at once, not after a hop through an executor that is busy generating.

    /// Closes every connection to camera `number` (main and sub stream).
    public nonisolated func drop(camera number: Int) throws(SimulatorError) {
        for stream in try streams(of: number) { stream.drop() }
    }

    /// Stops camera `number` sending for `duration`, keeping its connections open.
    public nonisolated func stall(camera number: Int, for duration: Duration) throws(SimulatorError) {
        for stream in try streams(of: number) { stream.stall(for: duration) }
    }

    /// Sets camera `number`'s clock `offset` seconds off the real time in its sender reports (positive: ahead).
    public nonisolated func setClockOffset(camera number: Int, _ offset: TimeInterval) throws(SimulatorError) {
        for stream in try streams(of: number) { stream.setClockOffset(offset) }
    }

    /// Reboots camera `number`'s streams: new SSRC, timestamp jump, clip from the start.
    public nonisolated func restart(camera number: Int) throws(SimulatorError) {
        for stream in try streams(of: number) { stream.restart() }
    }

    /// Takes camera `number` offline (new sessions get 503) or back online.
    public nonisolated func setOnline(camera number: Int, _ online: Bool) throws(SimulatorError) {
        for stream in try streams(of: number) { stream.setOnline(online) }
    }

    private nonisolated func streams(of number: Int) throws(SimulatorError) -> [SimulatedCamera] {
        guard cameras.indices.contains(number - 1) else {
            throw .invalidConfiguration("no camera \(number); cameras are 1…\(cameras.count)")
        }
        let main = cameras[number - 1]
        let sub = subStreams[number - 1]
        return main === sub ? [main] : [main, sub]
    }

    private static func cameraConfiguration(_ name: String, _ configuration: Configuration) -> SimulatedCamera.Configuration {
        SimulatedCamera.Configuration(
            name: name, senderReportInterval: configuration.senderReportInterval, viewerBufferPictures: configuration.viewerBufferPictures)
    }
}
