import Foundation

// The alert and the event as `JSONCoding.encoder` writes them (keys sorted, nil members left out), written directly:
// every intake event writes its alert once for all analysts and its event into the answer.

extension Alert {
    /// The alert's JSON, the same bytes as `JSONCoding.encoder.encode(self)`.
    public var json: String {
        var text = JSONText(capacity: 512 + 192 * (bookmarks?.count ?? 0) + 128 * (history?.count ?? 0))
        write(to: &text)
        return text.text
    }

    /// Writes the alert as one JSON object.
    public func write(to text: inout JSONText) {
        text.object { json in
            if let acknowledgedAt { json.key("acknowledgedAt"); json.date(acknowledgedAt) }
            if let assignedTo { json.key("assignedTo"); json.string(assignedTo) }
            if let bookmarks { json.key("bookmarks"); json.array(bookmarks) { $1.write(to: &$0) } }
            if let cameraID { json.key("cameraID"); json.uuid(cameraID) }
            if let caseID { json.key("caseID"); json.uuid(caseID) }
            json.key("detail"); json.string(detail)
            if let dismissReason { json.key("dismissReason"); json.string(dismissReason) }
            if let eventID { json.key("eventID"); json.uuid(eventID) }
            if let history { json.key("history"); json.array(history) { $1.write(to: &$0) } }
            json.key("id"); json.uuid(id)
            json.key("kind"); json.string(kind.rawValue)
            if let location { json.key("location"); location.write(to: &json) }
            json.key("raisedAt"); json.date(raisedAt)
            if let secondsToAcknowledge { json.key("secondsToAcknowledge"); json.number(secondsToAcknowledge) }
            json.key("severity"); json.string(severity.rawValue)
            json.key("status"); json.string(status.rawValue)
            json.key("title"); json.string(title)
            json.key("updatedAt"); json.date(updatedAt)
        }
    }
}

extension AlertBookmark {
    /// Writes the bookmark as one JSON object.
    public func write(to text: inout JSONText) {
        text.object { json in
            json.key("cameraID"); json.uuid(cameraID)
            json.key("cameraName"); json.string(cameraName)
            json.key("distanceM"); json.number(distanceM)
            json.key("from"); json.date(from)
            json.key("until"); json.date(until)
        }
    }
}

extension AlertHistoryEntry {
    /// Writes the entry as one JSON object.
    public func write(to text: inout JSONText) {
        text.object { json in
            json.key("action"); json.string(action)
            json.key("actor"); json.string(actor)
            json.key("at"); json.date(at)
            json.key("detail"); json.string(detail)
        }
    }
}

extension GeoPoint {
    /// Writes the point as one JSON object.
    public func write(to text: inout JSONText) {
        text.object { json in
            json.key("latitude"); json.number(latitude)
            json.key("longitude"); json.number(longitude)
        }
    }
}

extension LeadEvent {
    /// The event's JSON, the same bytes as `JSONCoding.encoder.encode(self)`.
    public var json: String {
        var text = JSONText(capacity: 512 + 64 * attributes.count)
        write(to: &text)
        return text.text
    }

    /// Writes the event as one JSON object.
    public func write(to text: inout JSONText) {
        text.object { json in
            if let alertID { json.key("alertID"); json.uuid(alertID) }
            json.key("attributes"); json.object(of: attributes)
            if let cameraID { json.key("cameraID"); json.uuid(cameraID) }
            json.key("id"); json.uuid(id)
            json.key("kind"); json.string(kind.rawValue)
            if let location { json.key("location"); location.write(to: &json) }
            json.key("occurredAt"); json.date(occurredAt)
            json.key("receivedAt"); json.date(receivedAt)
            json.key("source"); json.string(source)
            json.key("sourceEventID"); json.string(sourceEventID)
            if let status { json.key("status"); json.string(status) }
        }
    }
}
