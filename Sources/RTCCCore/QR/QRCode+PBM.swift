extension QRCode {
    /// The symbol as a plain (ASCII, `P1`) portable bitmap, readable by most image tools.
    ///
    /// Each module becomes `moduleSize` × `moduleSize` pixels, `1` for black and `0` for white,
    /// surrounded by a white quiet zone. Lines are at most 70 characters long, as the format asks.
    ///
    /// - Parameters:
    ///   - moduleSize: Pixels per module side; values below 1 are treated as 1.
    ///   - quietZone: Light border around the symbol, in modules; values below 0 are treated as 0.
    /// - Returns: The complete file contents.
    public func pbm(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        let moduleSize = max(1, moduleSize)
        let quietZone = max(0, quietZone)
        let pixels = (size + 2 * quietZone) * moduleSize

        var output = "P1\n\(pixels) \(pixels)\n"
        output.reserveCapacity(output.utf8.count + pixels * (pixels + pixels / 70 + 1))
        for row in 0..<pixels {
            let y = row / moduleSize - quietZone
            var lineLength = 0
            for column in 0..<pixels {
                if lineLength == 70 {
                    output += "\n"
                    lineLength = 0
                }
                output += isDark(x: column / moduleSize - quietZone, y: y) ? "1" : "0"
                lineLength += 1
            }
            output += "\n"
        }
        return output
    }
}
