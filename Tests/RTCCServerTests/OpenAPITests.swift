import Foundation
import RTCCCore
import RTCCServer
import Testing

@Suite struct OpenAPITests {
    /// `METHOD path` pairs declared in the document (paths at two spaces, methods at four).
    static func declaredOperations() throws -> Set<String> {
        var operations = Set<String>()
        var path: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
        for line in try OpenAPIDocument.text().split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
            } else if !line.hasPrefix(" ") {
                path = nil
            }
        }
        return operations
    }

    @Test func documentCoversEveryRouteAndNothingElse() throws {
        let routes = Set(Endpoint.all.map(\.description))
        let documented = try Self.declaredOperations()
        #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
    }

    @Test func thePermissionEnumNamesEveryPermission() throws {
        let text = try OpenAPIDocument.text()
        let block = try #require(text.range(of: "    Permission:\n").map { text[$0.upperBound...] }, "a Permission schema")
        let line = try #require(block.split(separator: "\n").first { $0.contains("enum:") })
        let listed = Set(line.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
        #expect(listed == Set(Permission.allCases.map(\.rawValue)), "the document's permissions differ: \(listed.symmetricDifference(Set(Permission.allCases.map(\.rawValue))))")
    }
}
