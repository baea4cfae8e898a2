extension QRCode {
    /// The symbol as a standalone SVG document: black modules on a white background.
    ///
    /// The drawing's coordinates are in modules (`viewBox` spans the symbol plus the quiet zone)
    /// and all dark modules form a single `<path>`, with `shape-rendering="crispEdges"` so that
    /// module edges stay sharp at any scale.
    ///
    /// - Parameters:
    ///   - moduleSize: Width and height of one module in the `width`/`height` attributes, in
    ///     pixels; values below 1 are treated as 1.
    ///   - quietZone: Light border around the symbol, in modules. The standard asks for 4; values
    ///     below 0 are treated as 0.
    /// - Returns: The SVG markup, starting with the `<svg>` element.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4) -> String {
        let moduleSize = max(1, moduleSize)
        let quietZone = max(0, quietZone)
        let extent = size + 2 * quietZone
        let pixels = extent * moduleSize

        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size, isDark(x: x, y: y) {
                    x += 1
                }
                path += "M\(start + quietZone),\(y + quietZone)h\(x - start)v1h-\(x - start)z"
            }
        }

        return """
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 \(extent) \(extent)" \
            width="\(pixels)" height="\(pixels)" shape-rendering="crispEdges">\
            <rect width="\(extent)" height="\(extent)" fill="#ffffff"/>\
            <path fill="#000000" d="\(path)"/></svg>

            """
    }
}
