/// Reading the video usability information (ITU-T H.264 annex E.1.1) of an SPS.
extension H264SPS {
    /// `maxNumReorderFrames` when the SPS states it; otherwise 0 for Baseline and Constrained
    /// Baseline (no B-slices) and the largest DPB (16) for other profiles, as annex E.2.1 infers.
    public var reorderDepth: Int {
        if let maxNumReorderFrames { return maxNumReorderFrames }
        let constrainedBaseline = profileIndication == 77 && profileCompatibility & 0x80 != 0
        return profileIndication == 66 || constrainedBaseline ? 0 : 16
    }

    /// Walks the VUI for the frame rate and `max_num_reorder_frames`; a VUI that ends early just
    /// lacks what it did not reach.
    static func readVUI(_ reader: inout BitReader) -> (frameRate: Double?, maxNumReorderFrames: Int?) {
        guard skipVUIPrefix(&reader), let timingPresent = reader.readFlag() else { return (nil, nil) }
        var frameRate: Double?
        if timingPresent {
            guard let unitsInTick = reader.readBits(32), let timeScale = reader.readBits(32), reader.skipBits(1) else {
                return (nil, nil)
            }
            if unitsInTick > 0, timeScale > 0 { frameRate = Double(timeScale) / Double(2 * unitsInTick) }
        }
        guard let nalHRD = reader.readFlag(), !nalHRD || skipHRD(&reader), let vclHRD = reader.readFlag(),
            !vclHRD || skipHRD(&reader)
        else { return (frameRate, nil) }
        if nalHRD || vclHRD, !reader.skipBits(1) { return (frameRate, nil) }  // low_delay_hrd_flag
        guard reader.skipBits(1), reader.readFlag() == true, reader.skipBits(1) else { return (frameRate, nil) }
        for _ in 0..<4 {
            guard reader.readUE() != nil else { return (frameRate, nil) }  // max_bytes_per_pic_denom …
        }
        guard let reorder = reader.readUE(max: 16) else { return (frameRate, nil) }
        return (frameRate, Int(reorder))
    }

    /// Skips aspect ratio, overscan, video signal type and chroma location.
    private static func skipVUIPrefix(_ reader: inout BitReader) -> Bool {
        guard let aspectPresent = reader.readFlag() else { return false }
        if aspectPresent {
            guard let idc = reader.readBits(8) else { return false }
            if idc == 255, !reader.skipBits(32) { return false }
        }
        guard let overscanPresent = reader.readFlag() else { return false }
        if overscanPresent, !reader.skipBits(1) { return false }
        guard let signalTypePresent = reader.readFlag() else { return false }
        if signalTypePresent {
            guard reader.skipBits(4), let colourPresent = reader.readFlag() else { return false }
            if colourPresent, !reader.skipBits(24) { return false }
        }
        guard let chromaLocationPresent = reader.readFlag() else { return false }
        if chromaLocationPresent, reader.readUE() == nil || reader.readUE() == nil { return false }
        return true
    }

    /// Skips `hrd_parameters()` (annex E.1.2).
    private static func skipHRD(_ reader: inout BitReader) -> Bool {
        guard let count = reader.readUE(max: 31), reader.skipBits(8) else { return false }
        for _ in 0...count {
            guard reader.readUE() != nil, reader.readUE() != nil, reader.skipBits(1) else { return false }
        }
        return reader.skipBits(20)
    }
}
