import FluentKit
import Foundation
import RTCCCore
import SQLKit

/// A camera's link to its ONVIF device, as stored.
public struct ONVIFLink: Codable, Sendable, Equatable {
    /// The camera.
    public var cameraID: UUID
    /// The device service address.
    public var address: String
    /// The profile steered and recorded (the main stream's).
    public var profileToken: String
    /// The sub stream's profile, when there is one.
    public var subProfileToken: String?
    /// Whether the device can be steered.
    public var ptz: Bool
    /// Whether the device offers events (motion and tampering are pulled).
    public var events: Bool
    /// Manufacturer.
    public var manufacturer: String
    /// Model.
    public var model: String
    /// Firmware version.
    public var firmware: String
    /// Serial number.
    public var serialNumber: String
    /// The camera's clock minus the server's at the last check, seconds.
    public var clockOffsetSeconds: Double?
    /// When the device last answered (or failed to).
    public var checkedAt: Date?
    /// What went wrong at the last check; nil when it answered.
    public var lastError: String?
    /// When it was linked.
    public var linkedAt: Date

    /// Creates a link.
    public init(
        cameraID: UUID, address: String, profileToken: String, subProfileToken: String?, ptz: Bool, events: Bool, manufacturer: String, model: String,
        firmware: String, serialNumber: String, clockOffsetSeconds: Double? = nil, checkedAt: Date? = nil, lastError: String? = nil, linkedAt: Date
    ) {
        self.cameraID = cameraID
        self.address = address
        self.profileToken = profileToken
        self.subProfileToken = subProfileToken
        self.ptz = ptz
        self.events = events
        self.manufacturer = manufacturer
        self.model = model
        self.firmware = firmware
        self.serialNumber = serialNumber
        self.clockOffsetSeconds = clockOffsetSeconds
        self.checkedAt = checkedAt
        self.lastError = lastError
        self.linkedAt = linkedAt
    }
}

extension ONVIFLink {
    /// Whether the camera's clock was off the server's by more than `thresholdSeconds` at the last check.
    public func clockDriftAlarm(thresholdSeconds: Int) -> Bool { clockOffsetSeconds.map { abs($0) > Double(thresholdSeconds) } ?? false }
}

/// Who steers a PTZ camera, until when.
public struct PTZLock: Codable, Sendable, Equatable {
    /// The camera.
    public var cameraID: UUID
    /// The operator.
    public var userID: UUID
    /// The operator's user name.
    public var username: String
    /// The operator's role.
    public var role: String
    /// The role's rank: a higher rank may take the lock over.
    public var rank: Int
    /// When this operator took it.
    public var takenAt: Date
    /// When it lapses unless renewed.
    public var expiresAt: Date
}

/// Cameras linked to ONVIF devices, and the PTZ control locks.
public struct ONVIFRepository: Sendable {
    let database: any Database

    struct Row: Codable {
        var cameraId: UUID
        var address: String
        var profileToken: String
        var subProfileToken: String?
        var ptz: Bool
        var events: Bool
        var manufacturer: String
        var model: String
        var firmware: String
        var serialNumber: String
        var secrets: String?
        var clockOffsetS: Double?
        var checkedAt: Date?
        var lastError: String?
        var linkedAt: Date

        var link: ONVIFLink {
            ONVIFLink(
                cameraID: cameraId, address: address, profileToken: profileToken, subProfileToken: subProfileToken, ptz: ptz, events: events,
                manufacturer: manufacturer, model: model, firmware: firmware, serialNumber: serialNumber, clockOffsetSeconds: clockOffsetS,
                checkedAt: checkedAt?.millisecondPrecision, lastError: lastError, linkedAt: linkedAt.millisecondPrecision)
        }
    }

    /// The link of a camera, nil when it has none.
    public func link(cameraID: UUID) async throws -> ONVIFLink? {
        try await database.sql.select().column("*").from("camera_onvif").where("camera_id", .equal, cameraID)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)?.link
    }

    /// Every link.
    public func all() async throws -> [ONVIFLink] {
        try await database.sql.select().column("*").from("camera_onvif").orderBy("camera_id")
            .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase).map(\.link)
    }

    /// The sealed credentials of a camera's link (nil when the device needs none, or there is no link).
    public func sealedSecrets(cameraID: UUID) async throws -> String? {
        try await database.sql.select().column("*").from("camera_onvif").where("camera_id", .equal, cameraID)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)?.secrets
    }

    /// Links a camera (replacing its link), with credentials sealed by the caller.
    public func save(_ link: ONVIFLink, sealedSecrets: String?) async throws {
        let row = Row(
            cameraId: link.cameraID, address: link.address, profileToken: link.profileToken, subProfileToken: link.subProfileToken, ptz: link.ptz,
            events: link.events, manufacturer: link.manufacturer, model: link.model, firmware: link.firmware, serialNumber: link.serialNumber,
            secrets: sealedSecrets, clockOffsetS: link.clockOffsetSeconds, checkedAt: link.checkedAt?.millisecondPrecision, lastError: link.lastError,
            linkedAt: link.linkedAt.millisecondPrecision)
        try await database.transaction { db in
            try await db.sql.delete(from: "camera_onvif").where("camera_id", .equal, link.cameraID).run()
            try await db.sql.insert(into: "camera_onvif").model(row, keyEncodingStrategy: .convertToSnakeCase).run()
        }
    }

    /// Records a check of the device: its clock offset when it answered, or what went wrong.
    public func recordCheck(cameraID: UUID, clockOffsetSeconds: Double?, error: String?, at time: Date) async throws {
        var update = database.sql.update("camera_onvif").set("checked_at", to: SQLBind(time.millisecondPrecision)).set("last_error", to: SQLBind(error))
        if let clockOffsetSeconds { update = update.set("clock_offset_s", to: SQLBind(clockOffsetSeconds)) }
        try await update.where("camera_id", .equal, cameraID).run()
    }

    /// Removes a camera's link (and any PTZ lock on it). Returns whether there was one.
    @discardableResult
    public func unlink(cameraID: UUID) async throws -> Bool {
        let existed = try await link(cameraID: cameraID) != nil
        try await database.transaction { db in
            try await db.sql.delete(from: "ptz_locks").where("camera_id", .equal, cameraID).run()
            try await db.sql.delete(from: "camera_onvif").where("camera_id", .equal, cameraID).run()
        }
        return existed
    }

    /// A `ptz_locks` row (`camera_id` reads as `cameraId`, which ``PTZLock``'s `cameraID` would not match).
    struct LockRow: Codable {
        var cameraId: UUID
        var userId: UUID
        var username: String
        var role: String
        var rank: Int
        var takenAt: Date
        var expiresAt: Date

        var lock: PTZLock {
            PTZLock(
                cameraID: cameraId, userID: userId, username: username, role: role, rank: rank, takenAt: takenAt.millisecondPrecision,
                expiresAt: expiresAt.millisecondPrecision)
        }
    }

    /// The lock on a camera, when one is held now.
    public func lock(cameraID: UUID, now: Date = Date()) async throws -> PTZLock? {
        try await database.sql.select().column("*").from("ptz_locks").where("camera_id", .equal, cameraID)
            .where("expires_at", .greaterThan, SQLBind(now.millisecondPrecision))
            .first(decoding: LockRow.self, keyDecodingStrategy: .convertFromSnakeCase)?.lock
    }

    /// Takes or renews the lock on a camera for `seconds`, in one statement (so two nodes or two operators racing for
    /// it cannot both win): it is taken when free or lapsed, renewed when the caller holds it, and taken over when
    /// `takeOver` is set and the caller's rank is above the holder's. Returns the lock as it stands afterwards, held
    /// by the caller or by someone else.
    public func acquire(
        cameraID: UUID, userID: UUID, username: String, role: String, rank: Int, seconds: Double, takeOver: Bool, now: Date = Date()
    ) async throws -> PTZLock {
        let now = now.millisecondPrecision
        let until = now.addingTimeInterval(seconds).millisecondPrecision
        try await database.sql.raw("""
            INSERT INTO ptz_locks (camera_id, user_id, username, role, rank, taken_at, expires_at)
            VALUES (\(bind: cameraID), \(bind: userID), \(bind: username), \(bind: role), \(bind: rank), \(bind: now), \(bind: until))
            ON CONFLICT (camera_id) DO UPDATE SET
              taken_at = CASE WHEN ptz_locks.user_id = excluded.user_id AND ptz_locks.expires_at > \(bind: now) THEN ptz_locks.taken_at ELSE excluded.taken_at END,
              user_id = excluded.user_id, username = excluded.username, role = excluded.role, rank = excluded.rank, expires_at = excluded.expires_at
            WHERE ptz_locks.expires_at <= \(bind: now) OR ptz_locks.user_id = excluded.user_id
              OR (\(bind: takeOver) AND ptz_locks.rank < excluded.rank)
            """).run()
        guard let lock = try await lock(cameraID: cameraID, now: now) else { throw StoreError.missingReference(field: "camera", value: cameraID.uuidString) }
        return lock
    }

    /// Releases the caller's lock; someone else's is left alone. Returns whether one was released.
    @discardableResult
    public func release(cameraID: UUID, userID: UUID) async throws -> Bool {
        let held = try await database.sql.select().column("camera_id").from("ptz_locks").where("camera_id", .equal, cameraID).where("user_id", .equal, userID).first() != nil
        try await database.sql.delete(from: "ptz_locks").where("camera_id", .equal, cameraID).where("user_id", .equal, userID).run()
        return held
    }
}
