/// A user's role. Each role grants a fixed set of ``Permission``s (see docs/SECURITY.md).
public enum Role: String, Codable, Sendable, CaseIterable {
    case admin, supervisor, analyst, officer, partner, auditor

    /// Who gives way to whom at a PTZ camera: an operator of a higher rank may take over a camera another steers.
    public var controlRank: Int {
        switch self {
        case .admin: 3
        case .supervisor: 2
        case .analyst: 1
        case .officer, .partner, .auditor: 0
        }
    }

    /// What this role may do.
    public var permissions: Set<Permission> {
        switch self {
        case .admin:
            return Set(Permission.allCases).subtracting([.auditRead, .ownerPortal])
        case .supervisor:
            return Set<Permission>([.camerasRead, .camerasWrite, .camerasExport, .partnersRead, .partnersWrite, .incidentsRead, .holdsWrite, .sessionRead])
                .union(Permission.evidenceWork).union([.evidenceRelease, .eventsWrite, .impactWrite, .unmask, .ptzControl]).union(Permission.alertWork)
        case .analyst:
            return Set<Permission>([.camerasRead, .camerasExport, .partnersRead, .incidentsRead, .holdsWrite, .sessionRead, .ptzControl])
                .union(Permission.evidenceWork).union(Permission.alertWork)
        case .officer:
            return [.camerasRead, .incidentsRead, .sessionRead, .casesRead, .alertsRead]
        case .partner:
            return [.ownCamerasRead, .ownerPortal, .sessionRead]
        case .auditor:
            return [.camerasRead, .camerasExport, .partnersRead, .incidentsRead, .auditRead, .usersRead, .sessionRead, .casesRead, .alertsRead]
        }
    }
}

/// One thing an authenticated caller may be allowed to do. API tokens carry a subset of these as scopes.
public enum Permission: String, Codable, Sendable, CaseIterable {
    /// See one's own session and sign out.
    case sessionRead = "session:read"
    /// Search and view the camera registry.
    case camerasRead = "cameras:read"
    /// See only the cameras of one's own partner organisation.
    case ownCamerasRead = "cameras:read-own"
    /// Create, change, import and delete cameras.
    case camerasWrite = "cameras:write"
    /// Export the camera registry as CSV or GeoJSON.
    case camerasExport = "cameras:export"
    /// Delete cameras.
    case camerasDelete = "cameras:delete"
    /// View partners and their consent records.
    case partnersRead = "partners:read"
    /// Create and change partners.
    case partnersWrite = "partners:write"
    /// View the incident history and venues.
    case incidentsRead = "incidents:read"
    /// List users.
    case usersRead = "users:read"
    /// Create and change users, and issue or revoke API tokens.
    case usersWrite = "users:write"
    /// Read and verify the audit log.
    case auditRead = "audit:read"
    /// Place and release evidence holds, which keep footage from retention.
    case holdsWrite = "holds:write"
    /// Search and view cases, their packages and custody reports, and verify packages.
    case casesRead = "cases:read"
    /// Open and change cases: details, status, links and notes.
    case casesWrite = "cases:write"
    /// Export evidence packages for a case and download them.
    case evidenceExport = "evidence:export"
    /// Release a package outside the RTCC: issue and revoke share links.
    case evidenceRelease = "evidence:release"
    /// Send intake events (gunshot detections, plate reads, calls for service, tips) and import hot lists: for the
    /// API tokens of integrations.
    case eventsWrite = "events:write"
    /// See the alert queue, alerts, their bookmarked recordings and history, and the hot list.
    case alertsRead = "alerts:read"
    /// Triage alerts: acknowledge, assign, escalate, dismiss, close, add notes, link to cases.
    case alertsWrite = "alerts:write"
    /// Import crime data, the weapons-recovered log and historical yearly totals for the impact dashboard.
    case impactWrite = "impact:write"
    /// See video of a camera without its privacy mask (for a stated purpose, audited).
    case unmask = "video:unmask"
    /// Steer PTZ cameras (pan, tilt, zoom, presets), one operator per camera at a time, every move audited.
    case ptzControl = "ptz:control"
    /// Act as a camera owner: pause or revoke sharing, answer footage requests, read the access log of one's cameras.
    case ownerPortal = "community:owner"
    /// Read the mail outbox (the development mail viewer).
    case outboxRead = "outbox:read"

    /// What an analyst does with cases: read, change, export.
    static let evidenceWork: Set<Permission> = [.casesRead, .casesWrite, .evidenceExport]
    /// What an analyst does with the alert queue: read and triage.
    static let alertWork: Set<Permission> = [.alertsRead, .alertsWrite]
}
