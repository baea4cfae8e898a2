import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RTCCCore
import RTCCServer
import RTCCStore
import Testing

/// Who may call each endpoint, written by hand from docs/SECURITY.md's prose and the role descriptions — never read from
/// `Role.permissions` or `Endpoint.access` — and checked against a running server. A permission granted or withheld by
/// mistake in the code makes a cell here fail. `Endpoint.all` is used only to check that every route has a row.
@Suite struct RoleAccessTableTests {
    /// One row: an endpoint and the callers allowed to reach its handler.
    struct Row: Sendable, CustomTestStringConvertible {
        /// `METHOD /path` with `{…}` placeholders, as the OpenAPI document writes it.
        var endpoint: String
        /// Signed-in roles that may call it.
        var allowed: Set<Role>
        /// Whether a caller without a session may call it.
        var anonymous: Bool
        /// Where the code is known to disagree with this row: the reason, and the row stays what it should be.
        var disagreement: String?

        var testDescription: String { endpoint }
    }

    // Groups named after the role descriptions in docs/SECURITY.md.
    /// Every signed-in role.
    static let signedIn: Set<Role> = [.admin, .supervisor, .analyst, .officer, .partner, .auditor]
    /// The agency's own staff: every role but the partner, who sees only their own cameras.
    static let staff: Set<Role> = [.admin, .supervisor, .analyst, .officer, .auditor]
    /// Who works cases and footage: "analysts and supervisors export", admins may do what supervisors do.
    static let investigators: Set<Role> = [.admin, .supervisor, .analyst]
    /// Who reads the partner programme and the registry export: investigators and the auditor (who reads everything).
    static let programmeReaders: Set<Role> = [.admin, .supervisor, .analyst, .auditor]
    /// Who changes the camera registry, partners, intake and settings: the shift lead and the administrator.
    static let managers: Set<Role> = [.admin, .supervisor]

    static func everyone(_ endpoint: String) -> Row { Row(endpoint: endpoint, allowed: signedIn, anonymous: true) }
    static func only(_ endpoint: String, _ roles: Set<Role>, disagreement: String? = nil) -> Row {
        Row(endpoint: endpoint, allowed: roles, anonymous: false, disagreement: disagreement)
    }

    /// The expected table.
    static let table: [Row] = [
        // Public: probes, the API description, sign-in, share-link downloads, community sign-up and the transparency page.
        everyone("GET /api/v1/health"),
        everyone("GET /api/v1/openapi.yaml"),
        everyone("GET /metrics"),
        everyone("POST /api/v1/auth/login"),
        // The system-use notice is shown before the sign-in form (CJIS AC-8).
        everyone("GET /api/v1/auth/notice"),
        everyone("GET /api/v1/share/{id}"),
        everyone("POST /api/v1/community/applications"),
        everyone("POST /api/v1/community/verify"),
        everyone("POST /api/v1/community/activate"),
        everyone("GET /api/v1/transparency"),

        // The caller's own session and preferences.
        only("POST /api/v1/auth/logout", signedIn),
        only("GET /api/v1/auth/me", signedIn),
        // Everyone signed in with a password may enrol their own second factor.
        only("POST /api/v1/me/mfa/enrolment", signedIn),
        only("POST /api/v1/me/mfa/enrolment/confirm", signedIn),
        only("GET /api/v1/me/layouts", signedIn),
        only("PUT /api/v1/me/layouts", signedIn),
        only("POST /api/v1/telemetry/live", signedIn),

        // Cameras: everyone signed in sees cameras (a partner only their own); the registry is the managers'; deleting a
        // camera (and what hangs off it) is the administrator's alone.
        only("GET /api/v1/cameras", signedIn),
        only("GET /api/v1/cameras/{id}", signedIn),
        only("POST /api/v1/cameras", managers),
        only("POST /api/v1/cameras/import", managers),
        only("PATCH /api/v1/cameras/{id}", managers),
        // Testing a stream before saving is part of adding a camera, and makes the server connect out: managers.
        only("POST /api/v1/cameras/probe", managers),
        // ONVIF set-up changes the registry: the shift lead and the administrator; staff may read a camera's link.
        only("POST /api/v1/onvif/discover", managers),
        only("POST /api/v1/onvif/inspect", managers),
        only("GET /api/v1/cameras/{id}/onvif", staff),
        only("PUT /api/v1/cameras/{id}/onvif", managers),
        only("DELETE /api/v1/cameras/{id}/onvif", managers),
        // Steering a PTZ camera is part of watching feeds: analysts, the shift lead and the administrator.
        only("GET /api/v1/cameras/{id}/ptz", investigators),
        only("PUT /api/v1/cameras/{id}/ptz/lock", investigators),
        only("DELETE /api/v1/cameras/{id}/ptz/lock", investigators),
        only("POST /api/v1/cameras/{id}/ptz/move", investigators),
        only("POST /api/v1/cameras/{id}/ptz/goto", investigators),
        only("POST /api/v1/cameras/{id}/ptz/presets", investigators),
        only("DELETE /api/v1/cameras/{id}", [.admin]),
        only("GET /api/v1/cameras/export", programmeReaders),
        only("GET /api/v1/cameras/{id}/recordings", signedIn),
        only("GET /api/v1/cameras/{id}/events", signedIn),
        only("GET /api/v1/cameras/{id}/health", signedIn),
        only("GET /api/v1/cameras/health", staff),
        only("GET /api/v1/cameras/{id}/live", signedIn),
        only("GET /api/v1/cameras/{id}/hls/{file}", signedIn),
        only("GET /api/v1/cameras/{id}/snapshot.jpg", signedIn),
        only("GET /api/v1/cameras/{id}/media", signedIn),
        only("POST /api/v1/playback", signedIn),
        only("GET /api/v1/telemetry/live", staff),
        // A partner masks their own camera; lifting or setting masks otherwise is the managers' (they hold video:unmask).
        only("GET /api/v1/cameras/{id}/mask", signedIn),
        only("PUT /api/v1/cameras/{id}/mask", managers.union([.partner])),
        only("GET /api/v1/cameras/{id}/analytics", staff),
        only("PUT /api/v1/cameras/{id}/analytics", managers),

        // Preservation holds: investigators place and release them; the rest of the staff can see them.
        only("GET /api/v1/holds", staff),
        only("POST /api/v1/holds", investigators),
        only("DELETE /api/v1/holds/{id}", investigators),

        // Partners: "supervisor: camera registry and partners"; analysts and the auditor read them; officers do not.
        only("GET /api/v1/partners", programmeReaders),
        only("GET /api/v1/partners/{id}", programmeReaders),
        only("POST /api/v1/partners", managers),
        only("PATCH /api/v1/partners/{id}", managers),
        only("DELETE /api/v1/partners/{id}", managers),
        // The administration screen's partner detail lists the partner's user accounts: for who manages partners only.
        only("GET /api/v1/partners/{id}/overview", managers),
        only("PUT /api/v1/partners/{id}/retention", managers),

        // Users and tokens: "admin runs the system: users, tokens"; the auditor reads everything and changes nothing.
        only("GET /api/v1/users", [.admin, .auditor]),
        only("POST /api/v1/users", [.admin]),
        only("PATCH /api/v1/users/{id}", [.admin]),
        // Unlocking, password resets, ending sessions and forcing MFA re-enrolment change accounts: the admin's; the
        // auditor may see a user's sessions in an account review.
        only("POST /api/v1/users/{id}/unlock", [.admin]),
        only("POST /api/v1/users/{id}/password", [.admin]),
        only("GET /api/v1/users/{id}/sessions", [.admin, .auditor]),
        only("DELETE /api/v1/users/{id}/sessions", [.admin]),
        only("DELETE /api/v1/users/{id}/mfa", [.admin]),
        // An account review (CJIS AC-2) covers the integrations' tokens too: names, scopes, owners, expiry, never secrets.
        only("GET /api/v1/tokens", [.admin, .auditor]),
        only("POST /api/v1/tokens", [.admin]),
        only("DELETE /api/v1/tokens/{id}", [.admin]),
        only("GET /api/v1/outbox", [.admin]),

        // The audit log: the auditor's alone ("admin ... cannot read the audit log").
        only("GET /api/v1/audit", [.auditor]),
        only("GET /api/v1/audit/verify", [.auditor]),
        only("GET /api/v1/audit.csv", [.auditor]),

        // The system's health (recorders, disks, database): the administrator who runs it.
        only("GET /api/v1/system/status", [.admin]),
        only("GET /api/v1/nodes", [.admin]),

        // Incident history and venues: staff read ("officer ... sees incident history"); managers load data.
        only("GET /api/v1/incidents", staff),
        only("GET /api/v1/venues", staff),
        only("POST /api/v1/venues", managers),
        only("POST /api/v1/incidents/import", managers),
        only("POST /api/v1/weapons/import", managers),
        only("POST /api/v1/crime-totals/import", managers),

        // Cases and evidence: "analysts and supervisors export; only supervisors (and admins) release; officers and
        // auditors read cases, packages and custody reports; partners see nothing of cases".
        only("GET /api/v1/cases", staff),
        only("POST /api/v1/cases", investigators),
        only("GET /api/v1/cases/{id}", staff),
        only("PATCH /api/v1/cases/{id}", investigators),
        only("POST /api/v1/cases/{id}/links", investigators),
        only("POST /api/v1/cases/{id}/notes", investigators),
        only("PUT /api/v1/cases/{id}/outcome", investigators),
        only("GET /api/v1/cases/{id}/custody.html", staff),
        only("GET /api/v1/cases/{id}/custody.pdf", staff),
        only("GET /api/v1/cases/{id}/exports", staff),
        only("POST /api/v1/cases/{id}/exports", investigators),
        only("GET /api/v1/exports/{id}", staff),
        only("GET /api/v1/cases/{id}/packages", staff),
        only("GET /api/v1/packages/{id}", staff),
        only("GET /api/v1/packages/{id}/download", investigators),
        only("POST /api/v1/packages/{id}/verify", staff),
        only("GET /api/v1/packages/{id}/shares", staff),
        only("POST /api/v1/packages/{id}/shares", managers),
        only("DELETE /api/v1/shares/{id}", managers),
        only("GET /api/v1/deletions", staff),

        // Map, search by place and time, coverage and planning: staff read and compute; holds and buildings change data.
        only("GET /api/v1/map", staff),
        only("GET /api/v1/seen", staff),
        only("POST /api/v1/seen/hold", investigators),
        only("POST /api/v1/coverage", staff),
        only("PUT /api/v1/buildings", managers),
        // Base map layers and address look-ups: staff read them like the map; managers import them like buildings.
        only("GET /api/v1/streets", staff),
        only("PUT /api/v1/streets", managers),
        only("PUT /api/v1/addresses", managers),
        only("GET /api/v1/addresses/search", staff),
        only("GET /api/v1/addresses/reverse", staff),
        only("POST /api/v1/plans", staff),
        only("POST /api/v1/coverage/replay", staff),

        // Temporary deployments: managers plan them; staff see them.
        only("GET /api/v1/deployments", staff),
        only("POST /api/v1/deployments", managers),
        only("GET /api/v1/deployments/{id}", staff),
        only("PATCH /api/v1/deployments/{id}", managers),
        only("DELETE /api/v1/deployments/{id}", managers),
        only("PUT /api/v1/deployments/{id}/cameras", managers),
        only("POST /api/v1/deployments/{id}/cameras", managers),
        only("POST /api/v1/deployments/{id}/plan", staff),
        only("GET /api/v1/deployments/{id}/report", staff),

        // Event intake (events:write, admins and supervisors only) and alerts ("analysts and supervisors triage;
        // officers and auditors read the queue; partners see none").
        only("POST /api/v1/events/gunshots", managers),
        only("POST /api/v1/events/plates", managers),
        only("POST /api/v1/events/calls", managers),
        only("POST /api/v1/events/tips", managers),
        only("GET /api/v1/hotlist", staff),
        only("POST /api/v1/hotlist/import", managers),
        only("GET /api/v1/alerts", staff),
        only("GET /api/v1/alerts/live", staff),
        only("GET /api/v1/alerts/{id}", staff),
        only("POST /api/v1/alerts/{id}/actions", investigators),

        // Dashboard and reports: staff.
        only("GET /api/v1/dashboard", staff),
        only("GET /api/v1/dashboard/{table}", staff),
        only("GET /api/v1/reports/monthly", staff),

        // Community programme: staff review sign-ups, managers decide; the partner's portal is the partner's alone.
        only("GET /api/v1/community/applications", programmeReaders),
        only("POST /api/v1/community/applications/{id}/approve", managers),
        only("POST /api/v1/community/applications/{id}/reject", managers),
        only("GET /api/v1/portal/cameras", [.partner]),
        only("PATCH /api/v1/portal/cameras/{id}", [.partner]),
        only("GET /api/v1/portal/access-log", [.partner]),

        // Footage requests: investigators ask, the partner answers (decision and clip upload); everyone signed in sees
        // the requests that concern them; partners cannot read clips back out of the RTCC.
        only("GET /api/v1/footage-requests", signedIn),
        only("POST /api/v1/footage-requests", investigators),
        only("GET /api/v1/footage-requests/{id}", signedIn),
        only("POST /api/v1/footage-requests/{id}/decision", [.partner]),
        only("PUT /api/v1/footage-requests/{id}/clip", [.partner]),
        only("GET /api/v1/footage-requests/{id}/clip", staff),
    ]

    /// The server every cell calls; each call gets its own session, so a sign-out ends nothing another cell uses.
    static let app = Task { try await TestApp.make() }

    /// The request path with placeholders filled by ids that name nothing.
    static func uri(for template: String) -> String {
        template.replacingOccurrences(of: "{id}", with: UUID().uuidString)
            .replacingOccurrences(of: "{file}", with: "index.m3u8")
            .replacingOccurrences(of: "{table}", with: "alerts.csv")
    }

    @Test func everyRouteHasExactlyOneRow() {
        let rows = Self.table.map(\.endpoint)
        let routes = Set(Endpoint.all.map(\.description))
        let duplicates = Dictionary(grouping: rows, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(duplicates.isEmpty, "rows written twice: \(duplicates)")
        let missing = routes.subtracting(rows).sorted()
        #expect(missing.isEmpty, "routes with no row in RoleAccessTableTests.table (add one, decided from docs/SECURITY.md): \(missing)")
        let stale = Set(rows).subtracting(routes).sorted()
        #expect(stale.isEmpty, "rows for routes the server does not have: \(stale)")
    }

    @Test(arguments: table)
    func callersGetWhatTheTableSays(_ row: Row) async throws {
        let parts = row.endpoint.split(separator: " ", maxSplits: 1).map(String.init)
        let method = try #require(HTTPRequest.Method(rawValue: parts[0]))
        let app = try await Self.app.value
        var sessions: [Role: String] = [:]
        for role in Role.allCases {
            sessions[role] = try await app.services.store.sessions.start(userID: try #require(app.users[role]).id, source: "test")
        }
        let uri = Self.uri(for: parts[1])
        let calls = sessions
        let check = {
            try await app.test { client async throws in
                for caller in [Role?.none] + Role.allCases {
                    var headers: HTTPFields = [:]
                    if let caller, let session = calls[caller] { headers[.cookie] = "rtcc_session=\(session)" }
                    try await client.execute(uri: uri, method: method, headers: headers) { response in
                        let status = Int(response.status.code)
                        let name = caller?.rawValue ?? "anonymous"
                        let allowed = caller.map(row.allowed.contains) ?? row.anonymous
                        if allowed {
                            #expect(status != 401 && status != 403, "\(row.endpoint) as \(name) must be allowed: \(status) \(response.text)")
                        } else {
                            #expect(status == (caller == nil ? 401 : 403), "\(row.endpoint) as \(name) must be refused: \(status) \(response.text)")
                        }
                    }
                }
            }
        }
        if let disagreement = row.disagreement {
            await withKnownIssue(Comment(rawValue: disagreement)) { try await check() }
        } else {
            try await check()
        }
    }
}
