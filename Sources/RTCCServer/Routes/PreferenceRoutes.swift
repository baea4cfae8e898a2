import Foundation
import HTTPTypes
import Hummingbird
import RTCCCore
import RTCCStore

/// `/api/v1/me/layouts`: the signed-in user's saved video-wall layouts.
struct PreferenceRoutes {
    let services: AppServices

    static let key = "wall.layouts"

    /// One saved wall: a name, a grid size and the camera in each tile (null for an empty tile).
    struct Layout: Codable {
        var name: String
        var grid: Int
        var tiles: [UUID?]
    }

    struct Layouts: Codable {
        var layouts: [Layout]
        var current: String?
    }

    func register(on router: Router<AppRequestContext>) {
        router.add(.layoutsGet, get)
        router.add(.layoutsPut, put)
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let text = try await services.store.preferences.value(userID: identity.user.id, key: Self.key),
            let saved = try? JSONCoding.decoder.decode(Layouts.self, from: Data(text.utf8))
        else { return try Reply.json(Layouts(layouts: [], current: nil)) }
        return try Reply.json(saved)
    }

    @Sendable func put(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try context.requireIdentity()
        let input = try await request.decodeStrict(Layouts.self, allowed: ["layouts", "current"], context: context)
        var errors: [FieldError] = []
        if input.layouts.count > 50 { errors.append(FieldError(field: "layouts", reason: "at most 50 layouts")) }
        for (index, layout) in input.layouts.enumerated() {
            let name = layout.name.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.count > 60 { errors.append(FieldError(field: "layouts[\(index)].name", reason: "must be 1-60 characters")) }
            if ![1, 4, 9, 16].contains(layout.grid) { errors.append(FieldError(field: "layouts[\(index)].grid", reason: "must be 1, 4, 9 or 16")) }
            if layout.tiles.count > layout.grid { errors.append(FieldError(field: "layouts[\(index)].tiles", reason: "has more tiles than the grid")) }
        }
        if Set(input.layouts.map(\.name)).count != input.layouts.count { errors.append(FieldError(field: "layouts", reason: "names must be unique")) }
        if let current = input.current, !input.layouts.contains(where: { $0.name == current }) {
            errors.append(FieldError(field: "current", reason: "must name one of the layouts"))
        }
        try ValidationError.check(errors)
        let text = String(decoding: try JSONCoding.encoder.encode(input), as: UTF8.self)
        try await services.store.preferences.set(userID: identity.user.id, key: Self.key, value: text)
        return try Reply.json(input)
    }
}
