import HTTPTypes
import RTCCCore

extension Endpoint {
    static let dashboard = Endpoint(method: .get, path: "/api/v1/dashboard", access: .permission(.incidentsRead))
    static let dashboardTable = Endpoint(method: .get, path: "/api/v1/dashboard/{table}", access: .permission(.incidentsRead))
    static let reportMonthly = Endpoint(method: .get, path: "/api/v1/reports/monthly", access: .permission(.incidentsRead))
    static let incidentsImport = Endpoint(method: .post, path: "/api/v1/incidents/import", access: .permission(.impactWrite))
    static let weaponsImport = Endpoint(method: .post, path: "/api/v1/weapons/import", access: .permission(.impactWrite))
    static let annualCountsImport = Endpoint(method: .post, path: "/api/v1/crime-totals/import", access: .permission(.impactWrite))
    static let venuesCreate = Endpoint(method: .post, path: "/api/v1/venues", access: .permission(.camerasWrite))
    static let caseOutcome = Endpoint(method: .put, path: "/api/v1/cases/{id}/outcome", access: .permission(.casesWrite))

    /// The impact dashboard, its CSV tables and the monthly report, and the crime data they count.
    static let impact: [Endpoint] = [dashboard, dashboardTable, reportMonthly, incidentsImport, weaponsImport, annualCountsImport, caseOutcome, venuesCreate]
}
