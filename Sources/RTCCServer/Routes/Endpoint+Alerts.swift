import HTTPTypes
import RTCCCore

extension Endpoint {
    static let eventsGunshot = Endpoint(method: .post, path: "/api/v1/events/gunshots", access: .permission(.eventsWrite))
    static let eventsPlate = Endpoint(method: .post, path: "/api/v1/events/plates", access: .permission(.eventsWrite))
    static let eventsCall = Endpoint(method: .post, path: "/api/v1/events/calls", access: .permission(.eventsWrite))
    static let eventsTip = Endpoint(method: .post, path: "/api/v1/events/tips", access: .permission(.eventsWrite))
    static let hotListGet = Endpoint(method: .get, path: "/api/v1/hotlist", access: .permission(.alertsRead))
    static let hotListImport = Endpoint(method: .post, path: "/api/v1/hotlist/import", access: .permission(.eventsWrite))
    static let alertsList = Endpoint(method: .get, path: "/api/v1/alerts", access: .permission(.alertsRead))
    static let alertsLive = Endpoint(method: .get, path: "/api/v1/alerts/live", access: .permission(.alertsRead))
    static let alertGet = Endpoint(method: .get, path: "/api/v1/alerts/{id}", access: .permission(.alertsRead))
    static let cameraAnalyticsGet = Endpoint(method: .get, path: "/api/v1/cameras/{id}/analytics", access: .permission(.camerasRead))
    static let cameraAnalyticsPut = Endpoint(method: .put, path: "/api/v1/cameras/{id}/analytics", access: .permission(.camerasWrite))
    static let alertAction = Endpoint(method: .post, path: "/api/v1/alerts/{id}/actions", access: .permission(.alertsWrite))

    /// Event intake, hot lists, the alert queue and on-camera analytics settings.
    static let alerts: [Endpoint] = [
        eventsGunshot, eventsPlate, eventsCall, eventsTip, hotListGet, hotListImport, alertsList, alertsLive, alertGet, alertAction,
        cameraAnalyticsGet, cameraAnalyticsPut,
    ]
}
