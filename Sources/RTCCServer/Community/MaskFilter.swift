import Foundation
import RTCCCore

/// Burns a camera's privacy mask into video with ffmpeg: the mask is rasterised by ``PrivacyMask/pam(width:height:)``
/// (opaque black over masked pixels, transparent elsewhere) and laid over the picture with the `overlay` filter.
enum MaskFilter {
    /// The filter graph over input 0 (video) and input 1 (the mask image); the last mask frame is repeated for the whole video.
    static let graph = "[0:v][1:v]overlay=format=auto:eof_action=repeat,format=yuv420p[out]"

    /// Writes the mask for a `width` × `height` picture to a temporary PAM file; the caller removes it.
    static func image(_ mask: PrivacyMask, width: Int, height: Int) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-mask-\(UUID().uuidString).pam")
        try mask.pam(width: width, height: height).write(to: url)
        return url
    }

    /// Re-encodes the video file at `file` in place with `mask` burned in (H.264, every frame kept, no audio), blocking
    /// the calling thread (the export runs on the NIO thread pool).
    static func burn(_ mask: PrivacyMask, into file: URL) throws {
        guard let video = try MediaTool.probeVideoBlocking(file.path) else { throw MaskFailure("\(file.lastPathComponent) is not a video ffprobe can read") }
        let image = try image(mask, width: video.width, height: video.height)
        defer { try? FileManager.default.removeItem(at: image) }
        let output = file.deletingLastPathComponent().appendingPathComponent(".masked-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try MediaTool.runBlocking("ffmpeg", [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-i", file.path, "-i", image.path, "-filter_complex", graph, "-map", "[out]",
            "-an", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-movflags", "+faststart", "-y", output.path,
        ])
        guard result.status == 0 else { throw MaskFailure("ffmpeg could not mask \(file.lastPathComponent) (exit \(result.status))") }
        try FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: output, to: file)
    }

    /// A JPEG picture with `mask` burned in.
    static func burn(_ mask: PrivacyMask, intoJPEG jpeg: [UInt8]) async throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-snapshot-\(UUID().uuidString).jpg")
        try Data(jpeg).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        guard let picture = try await MediaTool.probeVideo(input.path) else { throw MaskFailure("the snapshot could not be read for masking") }
        let image = try image(mask, width: picture.width, height: picture.height)
        defer { try? FileManager.default.removeItem(at: image) }
        let result = try await MediaTool.run("ffmpeg", [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-i", input.path, "-i", image.path,
            "-filter_complex", "[0:v][1:v]overlay=format=auto[out]", "-map", "[out]", "-frames:v", "1", "-q:v", "5", "-f", "image2", "-c:v", "mjpeg", "pipe:1",
        ])
        guard result.status == 0, result.output.first == 0xFF else { throw MaskFailure("ffmpeg could not mask the snapshot (exit \(result.status))") }
        return Array(result.output)
    }
}

/// Masking failed; the video is not released unmasked.
struct MaskFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
