import HTTPTypes
import RTCCCore

extension Endpoint {
    static let auditExport = Endpoint(method: .get, path: "/api/v1/audit.csv", access: .permission(.auditRead))

    /// Reading the audit log beyond the list and the chain check: the CSV export for the auditor's reviews.
    static let auditing: [Endpoint] = [auditExport]
}
