import Foundation
import Testing

@testable import RTCCCore

@Suite("Rendering")
struct QRCodeRenderingTests {
    @Test func svgHasOnePathOfDarkModulesWithSizeAndViewBox() throws {
        let code = try QRCode(encoding: enrolmentURI)
        let svg = code.svg(moduleSize: 5, quietZone: 4)
        let extent = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 \(extent) \(extent)\""))
        #expect(svg.contains("width=\"\(extent * 5)\" height=\"\(extent * 5)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.contains("fill=\"#ffffff\""))
        #expect(svg.contains("fill=\"#000000\""))

        // Every run "h<n>" in the path covers n dark modules; together they cover all of them.
        let runs = svg.components(separatedBy: "h").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        let darkCount = (0..<code.size).flatMap { y in (0..<code.size).map { x in code.isDark(x: x, y: y) } }
            .count(where: { $0 })
        #expect(runs.reduce(0, +) == darkCount)
    }

    @Test(arguments: [0, 4])
    func svgPathPaintsExactlyTheDarkModules(quietZone: Int) throws {
        let code = try QRCode(encoding: "Café ☕", correction: .high)
        let svg = code.svg(moduleSize: 3, quietZone: quietZone)
        let extent = code.size + 2 * quietZone
        let start = try #require(svg.range(of: " d=\""))
        let path = svg[start.upperBound...].prefix { $0 != "\"" }

        // Each subpath is "M<x>,<y>h<n>v1h-<n>z": a one-module-high run of n dark modules.
        var painted = [Bool](repeating: false, count: extent * extent)
        for subpath in path.split(separator: "z") {
            let numbers = subpath.split(whereSeparator: { "Mhv,-".contains($0) }).compactMap { Int($0) }
            #expect(numbers.count == 5 && numbers[3] == 1 && numbers[2] == numbers[4], "\(subpath)")
            for x in numbers[0]..<(numbers[0] + numbers[2]) {
                #expect(!painted[numbers[1] * extent + x], "module painted twice")
                painted[numbers[1] * extent + x] = true
            }
        }
        for y in 0..<extent {
            for x in 0..<extent {
                #expect(painted[y * extent + x] == code.isDark(x: x - quietZone, y: y - quietZone))
            }
        }
    }

    @Test func pbmHasHeaderScaledRasterAndQuietZone() throws {
        let code = try QRCode(encoding: "A")
        let pbm = code.pbm(moduleSize: 2, quietZone: 1)
        let lines = pbm.split(separator: "\n")
        let pixels = (code.size + 2) * 2
        #expect(lines[0] == "P1")
        #expect(lines[1] == "\(pixels) \(pixels)")
        let raster = lines.dropFirst(2).joined().map { $0 == "1" }
        #expect(raster.count == pixels * pixels)
        #expect(lines.dropFirst(2).allSatisfy { $0.count <= 70 })
        #expect(!raster[0] && !raster[pixels + 1])
        #expect(raster[2 * pixels + 2] && raster[3 * pixels + 3])
    }

    @Test func degenerateRenderingSizesAreClamped() throws {
        let code = try QRCode(encoding: "A")
        #expect(code.svg(moduleSize: 0, quietZone: -3).contains("viewBox=\"0 0 \(code.size) \(code.size)\""))
        #expect(code.pbm(moduleSize: -1, quietZone: -1).hasPrefix("P1\n\(code.size) \(code.size)\n"))
    }
}
