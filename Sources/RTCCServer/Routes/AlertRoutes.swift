import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import RTCCCore
import RTCCStore

/// `/api/v1/alerts`: the analysts' triage queue: search, one alert with its bookmarked recordings and history,
/// actions (acknowledge, assign, escalate, dismiss, close, note, link to a case), and the live push (WebSocket).
struct AlertRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        let live = Endpoint.alertsLive
        router.ws(live.routerPath) { request, context in
            let identity = try live.authorize(context)
            try await services.record("alerts.watch", by: identity, context: context)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            let (id, messages) = await services.alertHub.subscribe()
            defer { Task { await services.alertHub.unsubscribe(id) } }
            try await outbound.writeTextMessage(#"{"type":"hello"}"#)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Everything that waits goes out together: one message for a burst of alerts. After a message,
                    // the next waits until `pushInterval` has passed, so a flood costs each analyst at most a few
                    // dozen messages a second; an alert after a quiet spell goes out at once.
                    var sentAt = ContinuousClock.now - AlertHub.pushInterval
                    while true {
                        let due = sentAt + AlertHub.pushInterval
                        if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                        guard let waiting = await messages.next() else { break }
                        sentAt = .now
                        try await outbound.writeTextMessage(AlertHub.batchText(waiting))
                    }
                }
                group.addTask {
                    // Anything the browser sends is answered with a heartbeat; closing ends the subscription.
                    for try await _ in inbound.messages(maxSize: 4096) { try await outbound.writeTextMessage(#"{"type":"pong"}"#) }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        router.add(.alertsList, search)
        router.add(.alertGet, get)
        router.add(.alertAction, act)
    }

    @Sendable func search(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        var query = AlertQuery()
        if let statuses = request.uri.queryParameters.get("status"), !statuses.isEmpty {
            for name in statuses.split(separator: ",").map(String.init) {
                if name == "active" {
                    query.statuses += Alert.Status.allCases.filter(\.isActive)
                } else if let status = Alert.Status(rawValue: name) {
                    query.statuses.append(status)
                } else {
                    throw Problem.badRequest(field: "status", "must be active or any of \(Alert.Status.allCases.map(\.rawValue).joined(separator: ", ")), comma separated")
                }
            }
        }
        query.kind = try request.queryEnum("kind", Alert.Kind.self)
        query.minimumSeverity = try request.queryEnum("severity", Alert.Severity.self)
        query.text = request.uri.queryParameters.get("q")
        query.from = try request.queryDate("from")
        query.until = try request.queryDate("until")
        query.cameraID = try request.queryUUID("cameraID")
        query.limit = try request.queryInt("limit", in: 1...500, default: 50)
        query.offset = try request.queryInt("offset", in: 0...10_000_000, default: 0)
        return try Reply.json(try await services.store.alerts.search(query))
    }

    @Sendable func get(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        guard let alert = try await services.store.alerts.find(id: try context.pathID("alert")) else { throw Problem.notFound("alert") }
        return try Reply.json(alert)
    }

    @Sendable func act(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let id = try context.pathID("alert")
        let object = try Request.jsonObject(try await request.bodyData(context: context))
        let fields = try JSONFields(object, allowed: ["action", "assignee", "reason", "text", "caseID"])
        var check = FieldCheck()
        let name = check.text(fields, "action", required: true, most: 20)
        var action: AlertAction?
        switch name {
        case "acknowledge": action = .acknowledge
        case "close": action = .close
        case "assign":
            if let assignee = check.text(fields, "assignee", required: true, most: 100) {
                if try await services.store.users.credentials(username: assignee) == nil {
                    check.fail("assignee", "no user is called \(assignee)")
                } else {
                    action = .assign(to: assignee)
                }
            }
        case "escalate":
            if let reason = check.text(fields, "reason", required: true, most: 500) { action = .escalate(reason: reason) }
        case "dismiss":
            if let reason = check.text(fields, "reason", required: true, most: 500) { action = .dismiss(reason: reason) }
        case "note":
            if let text = check.text(fields, "text", required: true, most: 4000) { action = .note(text) }
        case "link":
            if let text = check.text(fields, "caseID", required: true, most: 40) {
                if let caseID = UUID(uuidString: text), try await services.store.cases.find(id: caseID) != nil {
                    action = .link(caseID: caseID)
                } else {
                    check.fail("caseID", "no case has id \(text)")
                }
            }
        case nil: break
        default: check.fail("action", "must be one of \(AlertAction.names.joined(separator: ", "))")
        }
        try ValidationError.check(check.errors)
        guard let action else { throw ValidationError(field: "action", reason: "is incomplete") }
        let actor = identity?.actor ?? "anonymous"
        let alert = try await LeadDesk(services: services).act(on: id, action, by: actor)
        let target = "alert:\(id.uuidString.lowercased())"
        if case .link(let caseID) = action {
            _ = try await services.store.cases.link(caseID: caseID, kind: .alert, reference: id.uuidString.lowercased(), by: actor)
            try await services.record("cases.link", target: Store.auditTarget(caseID: caseID), detail: "alert:\(id.uuidString.lowercased())", by: identity, context: context)
        }
        try await services.record("alerts.\(action.name)", target: target, detail: alert.history?.last?.detail ?? "", by: identity, context: context, purpose: request.purpose)
        return try Reply.json(alert)
    }
}
