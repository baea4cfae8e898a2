import Foundation
import Logging
import HTTPTypes
import RTCCCore
import RTCCGeo
import RTCCStore

/// Turns intake events and camera outages into alerts: stores the event once, decides whether it is a lead, finds the
/// cameras that could see it and bookmarks their recordings, stores the alert and pushes it to the analysts.
public struct LeadDesk: Sendable {
    let services: AppServices

    /// Creates the desk over open services.
    public init(services: AppServices) { self.services = services }

    /// What intake answers: the stored event, the alert it raised (if any), and whether the event is new.
    struct Receipt: Sendable {
        var event: LeadEvent
        var alert: Alert?
        var created: Bool
        /// `alert` as already encoded for the analysts, when it was just raised (not encoded again for the answer).
        var alertJSON: String?

        /// The answer's JSON, keys sorted as the API writes them, reusing ``alertJSON`` when there is one.
        func json() -> Data {
            var text = JSONText(capacity: 2048)
            text.object { json in
                if let alertJSON {
                    json.key("alert")
                    json.encoded(alertJSON)
                } else if let alert {
                    json.key("alert")
                    alert.write(to: &json)
                }
                json.key("created")
                json.bool(created)
                json.key("event")
                event.write(to: &json)
            }
            return Data(text.bytes)
        }
    }

    /// Stores a validated event from `source` and raises its alert. A repeat of a stored event (same source, kind and
    /// id) changes nothing except a call for service's status, and answers with what is stored.
    /// `address` is where the request came from, for the audit entry stored with a new event.
    func receive(_ draft: IntakeDraft, source: String, actor: String, address: String = "local", now: Date = Date()) async throws -> Receipt {
        let store = services.store
        let id = UUID()
        var attributes = draft.attributes
        for (index, media) in draft.media.enumerated() {
            attributes["media\(index)"] = try save(media, eventID: id, index: index)
        }
        var event = LeadEvent(
            id: id, kind: draft.kind, source: source, sourceEventID: draft.sourceEventID, occurredAt: draft.occurredAt, receivedAt: now,
            location: draft.location, cameraID: draft.cameraID, status: draft.status, attributes: attributes)
        // The alert is prepared before storing, so that a new event and its alert are committed together.
        var raised = try await lead(for: event, now: now)
        var bookmarks: [AlertBookmark] = []
        var alarmOnly: [UUID] = []
        if var lead = raised {
            if let point = event.location {
                (bookmarks, alarmOnly) = try await correlation(point, at: event.occurredAt)
                if lead.cameraID == nil { lead.cameraID = bookmarks.first?.cameraID }
            }
            event.alertID = lead.id
            raised = lead
        }
        let audit = AuditEvent(
            actor: actor, action: "events.receive", target: "event:\(event.id.uuidString.lowercased())", source: address,
            detail: "\(event.kind.rawValue) \(event.sourceEventID)" + (raised.map { " → alert:\($0.id.uuidString.lowercased())" } ?? ""))
        if try await services.intake.store(LeadEventRepository.Arrival(event: event, alert: raised, bookmarks: bookmarks, actor: actor, audit: audit)) {
            if var raised {
                raised.bookmarks = bookmarks
                // The same text goes to the analysts and back to the sender of the event.
                let json = raised.json
                await services.alertHub.deliver(AlertHub.message(alertJSON: json, change: "raised"))
                await openAlarms(of: raised, correlated: alarmOnly)
                return Receipt(event: event, alert: raised, created: true, alertJSON: json)
            }
            return Receipt(event: event, alert: nil, created: true)
        }
        if !draft.media.isEmpty { try? FileManager.default.removeItem(at: mediaFolder(id)) }
        guard var stored = try await store.leadEvents.find(source: source, kind: draft.kind, sourceEventID: draft.sourceEventID) else {
            throw Problem(.serviceUnavailable, "the event was being stored by another request; send it again", headers: [.retryAfter: "1"])
        }
        var alert: Alert?
        if let alertID = stored.alertID { alert = try await store.alerts.summary(id: alertID) }
        if stored.kind == .cadCall, let status = draft.status, status != stored.status {
            var merged = stored.attributes.merging(draft.attributes) { _, new in new }
            merged["status"] = status
            try await store.leadEvents.update(id: stored.id, status: status, attributes: merged)
            let previous = stored.status ?? "received"
            stored.status = status
            stored.attributes = merged
            if var current = alert {
                current.detail = Self.describe(stored)
                current.updatedAt = now
                try await store.alerts.update(current, entry: AlertHistoryEntry(at: now, actor: actor, action: "updated", detail: "status \(previous) → \(status)"))
                alert = current
                await services.alertHub.publish(current, change: "updated")
            }
        }
        return Receipt(event: stored, alert: alert, created: false)
    }

    /// The alert an event calls for, or nil (a plate read that is on no hot list).
    func lead(for event: LeadEvent, now: Date) async throws -> Alert? {
        let detail = Self.describe(event)
        switch event.kind {
        case .gunshot:
            let rounds = Int(event.attributes["rounds"] ?? "") ?? 1
            let confidence = Double(event.attributes["confidence"] ?? "") ?? 0
            return Alert(
                kind: .gunshot, severity: rounds >= 3 || confidence >= 0.9 ? .critical : .high,
                title: "Gunshot detected: \(rounds) round\(rounds == 1 ? "" : "s") (\(Int((confidence * 100).rounded()))% confidence)", detail: detail,
                raisedAt: now, cameraID: nil, location: event.location, eventID: event.id)
        case .plateRead:
            guard let plate = PlateNumber(event.attributes["plate"] ?? "") else { return nil }
            let hits = try await services.store.hotList.matches(plate, state: event.attributes["state"], now: now)
            guard let hit = hits.max(by: { $0.reason.severity < $1.reason.severity }) else { return nil }
            let reasons = Set(hits.map(\.reason.label)).sorted().joined(separator: ", ")
            return Alert(
                kind: .plateHit, severity: hit.reason.severity, title: "Hot-list plate \(plate) (\(hit.state)): \(reasons)",
                detail: detail + (hit.note.isEmpty ? "" : "; list: \(hit.note)"), raisedAt: now, cameraID: event.cameraID, location: event.location,
                eventID: event.id)
        case .cadCall:
            let priority = Int(event.attributes["priority"] ?? "") ?? 3
            let severity: Alert.Severity = priority == 1 ? .critical : priority == 2 ? .high : priority == 3 ? .medium : .low
            return Alert(
                kind: .cadCall, severity: severity, title: "Call for service P\(priority): \(event.attributes["callType"] ?? "call")", detail: detail,
                raisedAt: now, location: event.location, eventID: event.id)
        case .tip:
            let text = event.attributes["text"] ?? ""
            return Alert(
                kind: .tip, severity: event.location == nil ? .low : .medium, title: "Tip: \(text.prefix(80))\(text.count > 80 ? "…" : "")",
                detail: detail, raisedAt: now, location: event.location, eventID: event.id)
        }
    }

    /// Stores `alert` with bookmarks of the cameras that could see `point` around `time`, and pushes it.
    @discardableResult
    func raise(_ alert: Alert, at point: GeoPoint?, time: Date, by actor: String) async throws -> Alert {
        var alert = alert
        var bookmarks: [AlertBookmark] = []
        if let point {
            bookmarks = try await correlate(point, at: time)
            if alert.cameraID == nil { alert.cameraID = bookmarks.first?.cameraID }
        }
        return try await raise(alert, bookmarks: bookmarks, by: actor)
    }

    /// Stores `alert` with the given bookmarks and pushes it; the "live during alarms" cameras it concerns open.
    @discardableResult
    public func raise(_ alert: Alert, bookmarks: [AlertBookmark], by actor: String) async throws -> Alert {
        var alert = alert
        try await services.store.alerts.create(alert, bookmarks: bookmarks, by: actor)
        alert.bookmarks = bookmarks
        await services.alertHub.publish(alert, change: "raised")
        await openAlarms(of: alert, correlated: nil)
        return alert
    }

    /// The "live during alarms" cameras `alert` concerns: its bookmarked cameras and its own camera (analytics never
    /// watch such a camera, so its own alerts come from intake, such as a plate read it sent). `correlated` are
    /// those among the bookmarks already known from the sighting index (intake), so that only a camera outside them
    /// is looked up; nil looks up every bookmark. A camera's own outage concerns none.
    private func alarmOnlyCameras(of alert: Alert, correlated: [UUID]?) async throws -> [UUID] {
        guard !alert.kind.concernsTheCameraItself else { return [] }
        let bookmarked = (alert.bookmarks ?? []).map(\.cameraID)
        var found = correlated ?? []
        var unknown = correlated == nil ? bookmarked : []
        if let camera = alert.cameraID, !bookmarked.contains(camera) { unknown.append(camera) }
        for id in unknown where !found.contains(id) {
            if try await services.store.cameras.find(id: id)?.sharing == .alarmOnly { found.append(id) }
        }
        // An owner who paused or withdrew sharing is not opened by an alarm.
        guard !found.isEmpty else { return [] }
        let blocked = try await services.store.community.blockedCameras()
        return found.filter { !blocked.contains($0) }
    }

    /// Opens the alarm sharing of the "live during alarms" cameras `alert` concerns (see
    /// ``alarmOnlyCameras(of:correlated:)``), when it is at least of medium severity. The alert is already stored and
    /// pushed, so a failure here is logged rather than thrown.
    func openAlarms(of alert: Alert, correlated: [UUID]?) async {
        guard alert.severity >= .medium else { return }
        do {
            try await openAlarms(try await alarmOnlyCameras(of: alert, correlated: correlated), for: alert)
        } catch {
            Logger(label: "rtcc.leads").error("alarm sharing could not be opened", metadata: ["alert": "\(alert.id)", "error": "\(error)"])
        }
    }

    /// Opens alarm sharing of `cameras` ("live during alarms") for ``AppConfig/alarmShareMinutes`` after `alert`,
    /// audits each opening against the camera (so its owner sees it in the access log), and has the recorder start.
    /// Every later alert extends the alarm to its own raise time plus the same minutes.
    func openAlarms(_ cameras: [UUID], for alert: Alert) async throws {
        guard !cameras.isEmpty else { return }
        let until = alert.raisedAt.addingTimeInterval(TimeInterval(services.config.alarmShareMinutes * 60))
        for camera in cameras {
            // Openings are audited; an alarm already open is only extended.
            guard try await services.store.community.openAlarm(cameraID: camera, until: until, reason: alert.title) else { continue }
            try await services.audit.append(AuditEvent(
                actor: "system", action: "sharing.alarm_open", target: "camera:\(camera.uuidString.lowercased())",
                detail: "live during alarm until \(until.ISO8601Format()): \(alert.title) (alert:\(alert.id.uuidString.lowercased()))"))
        }
        await services.registryChanged()
    }

    /// The cameras (nearest first, at most the configured number) that could see `point`, with their recordings from
    /// the configured seconds before `time` to as many after.
    func correlate(_ point: GeoPoint, at time: Date) async throws -> [AlertBookmark] {
        try await correlation(point, at: time).bookmarks
    }

    /// A bookmark of `camera`'s own recording from `bookmarkSeconds` before `time` to as many after (for alerts a
    /// camera raises about what it sees).
    func bookmark(of camera: Camera, around time: Date) -> AlertBookmark {
        let span = TimeInterval(services.config.bookmarkSeconds)
        return AlertBookmark(
            cameraID: camera.id, cameraName: camera.name, distanceM: 0, from: time.addingTimeInterval(-span).millisecondPrecision,
            until: time.addingTimeInterval(span).millisecondPrecision)
    }

    /// ``correlate(_:at:)`` with the bookmarked cameras whose owners share them only during alarms.
    func correlation(_ point: GeoPoint, at time: Date) async throws -> (bookmarks: [AlertBookmark], alarmOnly: [UUID]) {
        let limit = services.config.correlatedCameras
        guard limit > 0 else { return ([], []) }
        // A camera added or moved a second ago may be missed; the registry is not re-read for every event.
        let index = try await services.sightingIndexes.index(services.store, freshWithin: .seconds(1))
        let span = TimeInterval(services.config.bookmarkSeconds)
        let from = time.addingTimeInterval(-span).millisecondPrecision
        let until = time.addingTimeInterval(span).millisecondPrecision
        let seen = index.sightings(of: Coordinate(latitude: point.latitude, longitude: point.longitude), from: from, until: until).prefix(limit)
        let bookmarks = seen.map {
            AlertBookmark(cameraID: $0.camera.id, cameraName: $0.camera.name, distanceM: ($0.sighting.distance * 10).rounded() / 10, from: from, until: until)
        }
        return (bookmarks, seen.filter { $0.camera.sharing == .alarmOnly }.map(\.camera.id))
    }

    /// Applies an analyst's action and pushes the change.
    func act(on id: UUID, _ action: AlertAction, by actor: String, now: Date = Date()) async throws -> Alert {
        guard let alert = try await services.store.alerts.summary(id: id) else { throw Problem.notFound("alert") }
        let (next, entry): (Alert, AlertHistoryEntry)
        do { (next, entry) = try alert.applying(action, by: actor, at: now.millisecondPrecision) } catch { throw Problem(.conflict, error.description) }
        try await services.store.alerts.update(next, entry: entry)
        await services.alertHub.publish(next, change: "updated")
        guard let updated = try await services.store.alerts.find(id: id) else { throw Problem.notFound("alert") }
        return updated
    }

    /// A camera stopped sending video for longer than the offline threshold: raises an outage alert (one per outage).
    public func cameraOffline(_ cameraID: UUID, name: String, lastFrameAt: Date?, now: Date = Date()) async throws {
        guard try await services.store.alerts.activeOutage(cameraID: cameraID) == nil else { return }
        let since = lastFrameAt.map { "no video since \($0.ISO8601Format())" } ?? "no video since the recorder started"
        let camera = try await services.store.cameras.find(id: cameraID)
        try await raise(
            Alert(kind: .cameraOffline, severity: .medium, title: "Camera offline: \(name)", detail: since, raisedAt: now.millisecondPrecision,
                  cameraID: cameraID, location: camera?.location),
            at: nil, time: now, by: "system")
    }

    /// A camera's clock is `offset` seconds off the server's (positive: ahead), beyond the recorder's tolerance: one
    /// low-severity alert per camera while it is active, saying what it means and what to do.
    public func cameraClockOff(_ cameraID: UUID, name: String, offset: TimeInterval, now: Date = Date()) async throws {
        guard try await services.store.alerts.active(.cameraClock, cameraID: cameraID) == nil else { return }
        let camera = try await services.store.cameras.find(id: cameraID)
        let amount = Self.duration(abs(offset))
        try await raise(
            Alert(
                kind: .cameraClock, severity: .low, title: "Camera clock off: \(name)",
                detail: "the camera's clock is \(amount) \(offset > 0 ? "ahead of" : "behind") the server's; its footage is timed by the server's "
                    + "clock. Set the camera's time (NTP) so its own overlay and logs agree",
                raisedAt: now.millisecondPrecision, cameraID: cameraID, location: camera?.location),
            at: nil, time: now, by: "system")
    }

    /// A camera's video cannot be written: one high-severity alert per camera while it is active.
    public func recordingFailed(_ cameraID: UUID, name: String, reason: String, now: Date = Date()) async throws {
        guard try await services.store.alerts.active(.recordingFailed, cameraID: cameraID) == nil else { return }
        let camera = try await services.store.cameras.find(id: cameraID)
        try await raise(
            Alert(
                kind: .recordingFailed, severity: .high, title: "Not recording: \(name)",
                detail: "\(reason) since \(now.ISO8601Format()); live video still works, footage is being lost. Free space on the recordings volume or fix its permissions",
                raisedAt: now.millisecondPrecision, cameraID: cameraID, location: camera?.location),
            at: nil, time: now, by: "system")
    }

    /// Writing works again: the camera's active recording alert is closed, saying how much was lost.
    public func recordingResumed(_ cameraID: UUID, at now: Date = Date(), framesLost: Int) async throws {
        guard var alert = try await services.store.alerts.active(.recordingFailed, cameraID: cameraID) else { return }
        let seconds = Int(now.timeIntervalSince(alert.raisedAt).rounded())
        alert.status = .closed
        alert.updatedAt = now.millisecondPrecision
        alert.detail += "; recording again at \(now.ISO8601Format()) after \(seconds) s, \(framesLost) frames not recorded"
        try await services.store.alerts.update(alert, entry: AlertHistoryEntry(at: now, actor: "system", action: "cleared", detail: "recording again"))
        await services.alertHub.publish(alert, change: "updated")
    }

    /// `seconds` in words: "3 h 2 min", "4 min 10 s", "2.5 s".
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 60 { return "\((seconds * 10).rounded() / 10) s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \((whole % 3600) / 60) min"
    }

    /// A camera's video is back: its active outage alert is closed, with the outage's length counted from the last
    /// picture before it (`downSince`) when known, else from when the alert was raised.
    public func cameraOnline(_ cameraID: UUID, at now: Date = Date(), downSince: Date? = nil) async throws {
        guard var alert = try await services.store.alerts.activeOutage(cameraID: cameraID) else { return }
        let seconds = Int(now.timeIntervalSince(downSince ?? alert.raisedAt).rounded())
        alert.status = .closed
        alert.updatedAt = now.millisecondPrecision
        alert.detail += "; video back at \(now.ISO8601Format()) after \(seconds) s"
        try await services.store.alerts.update(alert, entry: AlertHistoryEntry(at: now, actor: "system", action: "cleared", detail: "video is back"))
        await services.alertHub.publish(alert, change: "updated")
    }

    /// One line describing an event's fields for people.
    static func describe(_ event: LeadEvent) -> String {
        var parts = ["\(event.kind.rawValue) \(event.sourceEventID) from \(event.source) at \(UTCTimestamp.string(event.occurredAt))"]
        for key in event.attributes.keys.sorted() where !key.hasPrefix("media") {
            if let value = event.attributes[key], !value.isEmpty { parts.append("\(key): \(value)") }
        }
        if let location = event.location { parts.append("at \(location.latitude),\(location.longitude)") }
        return parts.joined(separator: "; ")
    }

    private func mediaFolder(_ eventID: UUID) -> URL {
        URL(fileURLWithPath: services.config.dataDirectory).appendingPathComponent("leads", isDirectory: true)
            .appendingPathComponent(eventID.uuidString.lowercased(), isDirectory: true)
    }

    /// Writes an event's media file; returns `name (type, bytes)` for the event's attributes.
    private func save(_ media: IntakeDraft.Media, eventID: UUID, index: Int) throws -> String {
        let folder = mediaFolder(eventID)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ext = media.contentType == "image/png" ? "png" : media.contentType == "video/mp4" ? "mp4" : media.contentType == "text/plain" ? "txt" : "jpg"
        try media.bytes.write(to: folder.appendingPathComponent("\(index).\(ext)"), options: .atomic)
        return "\(media.name) (\(media.contentType), \(media.bytes.count) bytes)"
    }
}
