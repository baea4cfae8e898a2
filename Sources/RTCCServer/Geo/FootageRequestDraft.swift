import Foundation
import RTCCCore
import RTCCStore

/// A footage request to a private camera's owner, drafted for an analyst to read; with a case number `POST /api/v1/seen/hold`
/// also stores and sends it as a ``FootageRequest``.
public struct FootageRequestDraft: Sendable, Encodable {
    /// The camera.
    public var cameraID: UUID
    /// Camera name.
    public var cameraName: String
    /// The owner, when the camera belongs to a registered partner.
    public var partnerID: UUID?
    /// Owner's name.
    public var partnerName: String?
    /// Whom to ask.
    public var contactName: String?
    /// Where to send it.
    public var email: String?
    /// Phone, if known.
    public var phone: String?
    /// The footage asked for.
    public var from: Date
    /// End of the footage asked for.
    public var until: Date
    /// The owner's stated retention: the footage may be gone after this.
    public var deleteBy: Date
    /// Why (case number).
    public var reason: String
    /// A message ready to send.
    public var message: String

    /// Drafts a request for `camera`'s footage in `[from, until)`.
    init(camera: Camera, partner: Partner?, from: Date, until: Date, reason: String) {
        cameraID = camera.id
        cameraName = camera.name
        partnerID = camera.partnerID
        partnerName = partner?.name
        contactName = partner?.contactName
        email = partner?.email
        phone = partner?.phone
        self.from = from
        self.until = until
        deleteBy = from.addingTimeInterval(Double(camera.retentionDays) * 86_400)
        self.reason = reason
        let greeting = partner.map { "Dear \($0.contactName)," } ?? "Hello,"
        message = """
            \(greeting)

            The Real-Time Crime Center asks for a copy of the recording from your camera "\(camera.name)" between \
            \(from.ISO8601Format()) and \(until.ISO8601Format()) (reference: \(reason)). Please keep this footage: \
            your camera may delete it after \(deleteBy.ISO8601Format()).

            Thank you for taking part in the community camera program.
            """
    }
}

/// What `POST /api/v1/seen/hold` did: holds placed on our footage, and requests to draft for owners' footage.
public struct SeenHoldResult: Sendable, Encodable {
    /// The question's answer the holds were placed from.
    public var seen: SeenReport
    /// One hold per camera with recorded footage in the window.
    public var holds: [Hold]
    /// One draft per private camera whose owner keeps the footage.
    public var footageRequests: [FootageRequestDraft]
    /// The footage requests stored and mailed to owners (when a case number was given).
    public var sentRequests: [FootageRequest]
}
