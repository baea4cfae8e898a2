import Foundation
import HTTPTypes
import RTCCCore
import RTCCStore

/// Turns an approved sign-up into a partner, its cameras and a partner account, and writes the mails of the program.
/// Approval stores everything or nothing: a failure part-way removes what it had made.
struct Onboarding: Sendable {
    let services: AppServices

    /// A link into the web app, absolute when `publicURL` is configured.
    func link(_ path: String) -> String { (services.config.publicURL ?? "") + path }

    /// Queues the verification mail of a new sign-up.
    func mailVerification(_ application: PartnerApplication, token: String) async throws {
        try await services.store.applications.queueMail(
            to: application.draft.email, subject: "Confirm your sign-up to the community camera program",
            body: """
                Hello \(application.draft.contactName),

                thank you for offering \(application.draft.cameras.count) camera(s) of \(application.draft.name) to the community camera program.
                Confirm your e-mail address within 24 hours with this link:

                \(link("/signup?verify=\(token)"))

                RTCC staff review your sign-up after you confirm it. If you did not sign up, ignore this mail.
                """)
        await services.mailQueued.signal()
    }

    /// What an approval made.
    struct Approved: Sendable {
        var partner: Partner
        var cameras: [Camera]
        var user: User
    }

    /// Approves a pending sign-up: partner (active, with the accepted terms as its consent), cameras, retention policy,
    /// a partner user with an activation mail.
    func approve(_ application: PartnerApplication, by actor: String) async throws -> Approved {
        guard application.status == .pending else { throw Self.notPending(application) }
        let store = services.store
        let draft = application.draft
        let consent = Consent(termsVersion: draft.termsVersion, acceptedAt: application.verifiedAt ?? application.createdAt)
        let partner = try await store.partners.create(PartnerDraft(
            name: draft.name, kind: draft.kind, contactName: draft.contactName, email: draft.email, phone: draft.phone, address: draft.address,
            consent: consent, status: .active))
        var cameras: [Camera] = []
        var user: User?
        do {
            let retention = min(draft.retentionDays ?? CommunityTerms.defaultRetentionDays, CommunityTerms.defaultRetentionDays)
            let records = try draft.cameras.map { camera in
                CameraRecord(
                    camera: try CameraDraft(
                        name: "\(draft.name) · \(camera.label)", kind: .partner, partnerID: partner.id, location: camera.location,
                        headingDeg: camera.headingDeg, fieldOfViewDeg: camera.fieldOfViewDeg, sharing: camera.sharing, retentionDays: retention,
                        tags: ["community"]
                    ).validated(), sealedSecrets: nil)
            }
            cameras = try await store.cameras.createAll(records)
            if let days = draft.retentionDays { try await store.community.setRetention(partnerID: partner.id, days: days, by: actor) }
            let made = try await store.users.create(
                username: Self.username(for: draft.email), displayName: draft.contactName, role: .partner, partnerID: partner.id,
                passwordHash: try await services.passwords.hash(SecretToken.generate()))
            user = made
            let token = SecretToken.generate(prefix: "rtcca_")
            guard try await store.applications.decide(
                id: application.id, approved: true, by: actor, note: nil, partnerID: partner.id, userID: made.id, activationToken: token)
            else { throw Self.notPending(application) }
            try await store.applications.queueMail(
                to: draft.email, subject: "Your cameras joined the community camera program",
                body: """
                    Hello \(draft.contactName),

                    RTCC staff approved your sign-up: \(cameras.count) camera(s) of \(draft.name) are registered.
                    Your user name for the owner portal is: \(made.username)
                    Choose your password within 7 days with this link:

                    \(link("/signup?activate=\(token)"))

                    In the owner portal you can pause or withdraw sharing at any time, answer footage requests, and read
                    everything the RTCC did with your cameras.
                    """)
            await services.mailQueued.signal()
            return Approved(partner: partner, cameras: cameras, user: made)
        } catch {
            for camera in cameras { _ = try? await store.cameras.delete(id: camera.id) }
            if let user { _ = try? await store.users.update(id: user.id, displayName: nil, role: nil, disabled: true) }
            try? await store.community.setRetention(partnerID: partner.id, days: nil, by: actor)
            if user == nil { _ = try? await store.partners.delete(id: partner.id) }
            throw error
        }
    }

    /// Rejects a pending sign-up and tells the applicant why.
    func reject(_ application: PartnerApplication, reason: String, by actor: String) async throws {
        guard try await services.store.applications.decide(
            id: application.id, approved: false, by: actor, note: reason, partnerID: nil, userID: nil, activationToken: nil)
        else { throw Self.notPending(application) }
        try await services.store.applications.queueMail(
            to: application.draft.email, subject: "Your sign-up to the community camera program",
            body: """
                Hello \(application.draft.contactName),

                RTCC staff could not accept the sign-up of \(application.draft.name): \(reason)

                Nothing about your cameras is kept for use by the RTCC.
                """)
        await services.mailQueued.signal()
    }

    static func notPending(_ application: PartnerApplication) -> Problem {
        switch application.status {
        case .unverified: return Problem(.conflict, "this sign-up's e-mail address is not verified yet; it can be reviewed once the applicant confirms it")
        case .approved, .rejected: return Problem(.conflict, "this sign-up was \(application.status.rawValue) already")
        case .pending: return Problem(.conflict, "this sign-up changed while it was being decided; reload it")
        }
    }

    /// A user name from the e-mail's local part and four random digits (`dana.k-4821`).
    static func username(for email: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        var base = String(email.lowercased().prefix(while: { $0 != "@" }).filter { allowed.contains($0) }.prefix(40))
        if base.count < 2 { base = "partner" }
        return "\(base)-\(Int.random(in: 1000...9999))"
    }
}
