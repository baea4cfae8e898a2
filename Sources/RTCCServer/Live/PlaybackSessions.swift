import Foundation
import HTTPTypes

/// One analyst's permission to play recordings of some cameras, opened with a stated purpose (audited once).
struct PlaybackSession: Sendable, Codable {
    var id: UUID
    var userID: UUID
    var cameraIDs: Set<UUID>
    var purpose: String
    var caseNumber: String?
    var expiresAt: Date
}

/// Open playback sessions, in memory: a server restart asks for the purpose again.
actor PlaybackSessions {
    /// How long a session lasts.
    static let lifetime: TimeInterval = 12 * 3600

    private var sessions: [UUID: PlaybackSession] = [:]
    /// Per session, the cameras whose privacy mask the user lifted (with `video:unmask`, audited).
    private var unmasked: [UUID: Set<UUID>] = [:]

    func open(
        userID: UUID, cameraIDs: Set<UUID>, purpose: String, caseNumber: String?, unmasked lifted: Set<UUID> = [], now: Date = Date()
    ) -> PlaybackSession {
        sessions = sessions.filter { $0.value.expiresAt > now }
        unmasked = unmasked.filter { sessions[$0.key] != nil }
        let session = PlaybackSession(
            id: UUID(), userID: userID, cameraIDs: cameraIDs, purpose: purpose, caseNumber: caseNumber, expiresAt: now.addingTimeInterval(Self.lifetime))
        sessions[session.id] = session
        if !lifted.isEmpty { unmasked[session.id] = lifted }
        return session
    }

    /// Whether the session lifted the camera's privacy mask.
    func isUnmasked(_ id: UUID, cameraID: UUID) -> Bool { unmasked[id]?.contains(cameraID) ?? false }

    /// The session if it is open, belongs to the user and covers the camera.
    func session(_ id: UUID, userID: UUID, cameraID: UUID, now: Date = Date()) -> PlaybackSession? {
        guard let session = sessions[id], session.expiresAt > now, session.userID == userID, session.cameraIDs.contains(cameraID) else { return nil }
        return session
    }
}
