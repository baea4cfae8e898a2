import Foundation

/// What an analyst does with an alert in the triage queue.
public enum AlertAction: Sendable, Hashable {
    /// "I have it": stops the acknowledgement clock.
    case acknowledge
    /// Hands it to someone (a user name).
    case assign(to: String)
    /// Raises it to a supervisor, with why.
    case escalate(reason: String)
    /// Not worth pursuing, with why (false alarm, duplicate…).
    case dismiss(reason: String)
    /// Dealt with.
    case close
    /// A note on the alert.
    case note(String)
    /// Links the alert to a case.
    case link(caseID: UUID)

    /// The history entry's action name.
    public var name: String {
        switch self {
        case .acknowledge: return "acknowledge"
        case .assign: return "assign"
        case .escalate: return "escalate"
        case .dismiss: return "dismiss"
        case .close: return "close"
        case .note: return "note"
        case .link: return "link"
        }
    }

    /// The action names the API accepts.
    public static let names = ["acknowledge", "assign", "escalate", "dismiss", "close", "note", "link"]
}

/// An action that the alert's state does not allow; says what to do instead.
public struct AlertTriageRefusal: Error, Sendable, CustomStringConvertible, Equatable {
    /// Why.
    public var description: String
}

extension Alert {
    /// The alert after `action` by `actor` at `now`, and the history entry that records it.
    /// Acting on an alert (other than a note or a case link) acknowledges it if nobody had; a dismissed or closed
    /// alert takes only notes and case links.
    public func applying(_ action: AlertAction, by actor: String, at now: Date) throws(AlertTriageRefusal) -> (Alert, AlertHistoryEntry) {
        var next = self
        var detail = ""
        let finished = !status.isActive
        switch action {
        case .note(let text):
            detail = text
        case .link(let caseID):
            next.caseID = caseID
            detail = "case:\(caseID.uuidString.lowercased())"
        default:
            if finished {
                throw AlertTriageRefusal(description: "the alert is \(status.rawValue); only notes and case links can be added now")
            }
            if next.acknowledgedAt == nil { next.acknowledgedAt = now }
            switch action {
            case .acknowledge:
                if status == .open { next.status = .acknowledged }
            case .assign(let person):
                next.status = .assigned
                next.assignedTo = person
                detail = person
            case .escalate(let reason):
                next.status = .escalated
                detail = reason
            case .dismiss(let reason):
                next.status = .dismissed
                next.dismissReason = reason
                detail = reason
            case .close:
                next.status = .closed
            case .note, .link:
                break
            }
        }
        next.updatedAt = now
        return (next, AlertHistoryEntry(at: now, actor: actor, action: action.name, detail: detail))
    }
}
