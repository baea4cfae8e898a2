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

    /// A playback chunk (fragmented MP4 on the session's timeline) re-encoded with `mask` burned in, on the same
    /// timeline (`-copyts`), as fragmented MP4 again; returns the bytes and their RFC 6381 codec string.
    static func burn(_ mask: PrivacyMask, intoChunk chunk: [UInt8]) async throws -> (bytes: [UInt8], codec: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rtcc-chunk-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.mp4"), output = folder.appendingPathComponent("out.mp4")
        try Data(chunk).write(to: input)
        guard let video = try await MediaTool.probeVideo(input.path) else { throw MaskFailure("the recording could not be read for masking") }
        let image = try image(mask, width: video.width, height: video.height)
        defer { try? FileManager.default.removeItem(at: image) }
        let result = try await MediaTool.run("ffmpeg", [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-copyts", "-i", input.path, "-i", image.path, "-filter_complex", graph, "-map", "[out]",
            "-an", "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0",
            "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "-y", output.path,
        ])
        guard result.status == 0 else { throw MaskFailure("ffmpeg could not mask the recording (exit \(result.status))") }
        // ffmpeg starts fragmented MP4 at zero: put the chunk back where the recording's first picture was.
        let probed = try await MediaTool.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time", "-of", "csv=p=0", input.path])
        let times = String(decoding: probed.output, as: UTF8.self).split(separator: "\n")
            .compactMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: " ,"))) }
        guard let start = times.min() else { throw MaskFailure("the recording's timeline could not be read") }
        let bytes = try FragmentRetimer.retime([UInt8](try Data(contentsOf: output)), toStartAt: start)
        return (bytes, codecString(ofMP4: bytes) ?? "avc1.42C01F")
    }

    /// `avc1.PPCCLL` from the first `avcC` box of an MP4.
    static func codecString(ofMP4 bytes: [UInt8]) -> String? {
        let tag: [UInt8] = Array("avcC".utf8)
        guard bytes.count > 8 else { return nil }
        for index in 0..<(bytes.count - 8) where Array(bytes[index..<(index + 4)]) == tag {
            return String(format: "avc1.%02X%02X%02X", bytes[index + 5], bytes[index + 6], bytes[index + 7])
        }
        return nil
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
