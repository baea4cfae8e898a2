import Foundation

/// Small SVG charts for printed reports (bars and paired bars), drawn as plain elements so any browser or PDF renderer
/// shows them without scripts.
enum SVGChart {
    /// One bar: its label, value, and whether it is drawn in the highlight colour.
    struct Bar: Sendable {
        var label: String
        var value: Double
        var highlight: Bool = false
    }

    /// A bar chart `width` × `height` pixels, with each value written above its bar.
    static func bars(_ bars: [Bar], title: String, width: Int = 640, height: Int = 220) -> String {
        let top = 28.0, bottom = 36.0, left = 8.0
        let plotHeight = Double(height) - top - bottom
        let maximum = max(bars.map(\.value).max() ?? 0, 1)
        let slot = (Double(width) - 2 * left) / Double(max(bars.count, 1))
        var out = svgOpen(width, height, title: title)
        out += text(left, 16, title, size: 13, weight: "bold")
        for (index, bar) in bars.enumerated() {
            let barHeight = plotHeight * bar.value / maximum
            let x = left + Double(index) * slot + slot * 0.15
            let y = top + plotHeight - barHeight
            out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot * 0.7))\" height=\"\(f(barHeight))\" fill=\"\(bar.highlight ? "#dc2626" : "#2563eb")\"/>"
            out += text(x + slot * 0.35, y - 3, number(bar.value), size: 10, anchor: "middle")
            if bars.count <= 16 || index % max(1, bars.count / 12) == 0 {
                out += text(x + slot * 0.35, Double(height) - bottom + 14, bar.label, size: 10, anchor: "middle")
            }
        }
        return out + "</svg>"
    }

    /// Pairs of bars (this period against the one before), with a legend.
    static func pairs(_ labels: [String], _ current: [Double], _ previous: [Double], title: String, legend: (String, String), width: Int = 640, height: Int = 220) -> String {
        let top = 28.0, bottom = 36.0, left = 8.0
        let plotHeight = Double(height) - top - bottom
        let maximum = max((current + previous).max() ?? 0, 1)
        let slot = (Double(width) - 2 * left) / Double(max(labels.count, 1))
        var out = svgOpen(width, height, title: title)
        out += text(left, 16, title, size: 13, weight: "bold")
        out += "<rect x=\"\(width - 220)\" y=\"6\" width=\"10\" height=\"10\" fill=\"#2563eb\"/>" + text(Double(width - 206), 15, legend.0, size: 10)
        out += "<rect x=\"\(width - 110)\" y=\"6\" width=\"10\" height=\"10\" fill=\"#94a3b8\"/>" + text(Double(width - 96), 15, legend.1, size: 10)
        for (index, label) in labels.enumerated() {
            for (offset, value, colour) in [(0.1, current[index], "#2563eb"), (0.48, previous[index], "#94a3b8")] {
                let barHeight = plotHeight * value / maximum
                let x = left + Double(index) * slot + slot * offset
                out += "<rect x=\"\(f(x))\" y=\"\(f(top + plotHeight - barHeight))\" width=\"\(f(slot * 0.36))\" height=\"\(f(barHeight))\" fill=\"\(colour)\"/>"
            }
            out += text(left + Double(index) * slot + slot * 0.5, Double(height) - bottom + 14, label, size: 10, anchor: "middle")
        }
        return out + "</svg>"
    }

    private static func svgOpen(_ width: Int, _ height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escape(title))\">"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, size: Int, anchor: String = "start", weight: String = "normal") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" font-family=\"DejaVu Sans, sans-serif\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\">\(escape(content))</text>"
    }

    static func number(_ value: Double) -> String { value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value) }
    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `text` with HTML's special characters escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
