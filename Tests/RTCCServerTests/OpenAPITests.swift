import Foundation
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
}
