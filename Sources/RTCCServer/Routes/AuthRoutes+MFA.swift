import Foundation
import Hummingbird
import RTCCCore
import RTCCStore

/// The system-use notice and enrolment of the signed-in user's second factor (`/api/v1/me/mfa/...`).
extension AuthRoutes {
    struct Notice: Encodable {
        /// The system-use notice (CJIS AC-8), or nil when none is configured.
        var notice: String?
        /// `standard` or `cjis`.
        var profile: String
        /// Whether no role has to sign in with a second factor.
        var mfaOptional: Bool

        private enum CodingKeys: String, CodingKey { case notice, profile, mfaOptional }

        /// Writes `notice` as `null` when there is none.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(notice, forKey: .notice)
            try container.encode(profile, forKey: .profile)
            try container.encode(mfaOptional, forKey: .mfaOptional)
        }
    }

    struct Enrolment: Encodable {
        /// The secret in base 32, for typing into an app.
        var secret: String
        var otpauthURI: String
        /// The URI as a QR code.
        var qrSVG: String
    }

    struct Confirmation: Decodable {
        var code: String
    }

    struct RecoveryCodes: Encodable {
        /// Shown once; only their digests are stored.
        var recoveryCodes: [String]
    }

    @Sendable func notice(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let config = services.config
        return try Reply.json(Notice(
            notice: config.systemUseNotice, profile: config.securityProfile.rawValue, mfaOptional: config.effectiveMFARoles.isEmpty))
    }

    /// Starts or restarts a pending enrolment: a new secret that becomes the second factor once a code from it is confirmed.
    @Sendable func startEnrolment(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try sessionCaller(identity)
        let (secret, sealed) = try secondFactor.newSecret()
        guard try await services.store.users.startMFAEnrolment(id: identity.user.id, sealedSecret: sealed) else { throw Problem.notFound("user") }
        let uri = SecondFactor.uri(secret: secret, username: identity.user.username)
        try await services.record("auth.mfa_enrolment_started", target: "user:\(identity.user.id)", by: identity, context: context)
        return try Reply.json(Enrolment(secret: Base32.encode(secret), otpauthURI: uri, qrSVG: try QRCode(encoding: uri).svg()))
    }

    /// Confirms the pending enrolment with a code from the new secret; answers the recovery codes, shown once.
    @Sendable func confirmEnrolment(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let identity = try sessionCaller(identity)
        let input = try await request.decodeStrict(Confirmation.self, allowed: ["code"], context: context)
        let users = services.store.users
        guard let sealed = try await users.pendingMFASecret(id: identity.user.id) else {
            throw Problem(.conflict, "no enrolment is in progress: start one with POST /api/v1/me/mfa/enrolment")
        }
        guard SecondFactor.isTOTPCode(input.code),
            let step = SecondFactor.matchingStep(input.code, secret: try secondFactor.open(sealed), now: Date())
        else {
            throw Problem.invalid(ValidationError(
                field: "code", reason: "is not the current 6-digit code of the new secret; check the app's clock and enter the code it shows now"))
        }
        let codes = SecondFactor.newRecoveryCodes()
        guard try await users.confirmMFAEnrolment(
            id: identity.user.id, sealedSecret: sealed, step: step, recoveryCodeHashes: codes.map(SecondFactor.digest(recoveryCode:)))
        else { throw Problem(.conflict, "the enrolment was restarted meanwhile; scan the newest QR code and confirm a code from it") }
        try await services.record("auth.mfa_enrolled", target: "user:\(identity.user.id)", detail: "TOTP; \(codes.count) recovery codes issued", by: identity, context: context)
        return try Reply.json(RecoveryCodes(recoveryCodes: codes))
    }

    /// The caller, when signed in with a password: an API token cannot enrol a second factor for its owner.
    private func sessionCaller(_ identity: Identity?) throws -> Identity {
        guard let identity else { throw Problem.unauthenticated() }
        guard case .session = identity.credential else {
            throw Problem(.forbidden, "API tokens cannot enrol a second factor; sign in with your password to do this")
        }
        return identity
    }
}
