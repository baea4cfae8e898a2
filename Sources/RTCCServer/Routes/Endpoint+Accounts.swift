import Foundation
import HTTPTypes
import RTCCCore

extension Endpoint {
    /// The system-use notice and profile the sign-in screen shows before the form.
    static let authNotice = Endpoint(method: .get, path: "/api/v1/auth/notice", access: .everyone)
    /// Starts (or restarts) the caller's TOTP enrolment.
    static let mfaEnrolment = Endpoint(method: .post, path: "/api/v1/me/mfa/enrolment", access: .permission(.sessionRead))
    /// Confirms the caller's TOTP enrolment with a code; answers the recovery codes once.
    static let mfaEnrolmentConfirm = Endpoint(method: .post, path: "/api/v1/me/mfa/enrolment/confirm", access: .permission(.sessionRead))
    /// Releases a locked account.
    static let userUnlock = Endpoint(method: .post, path: "/api/v1/users/{id}/unlock", access: .permission(.usersWrite))
    /// Sets a user's password.
    static let userPassword = Endpoint(method: .post, path: "/api/v1/users/{id}/password", access: .permission(.usersWrite))
    /// A user's open sessions.
    static let userSessions = Endpoint(method: .get, path: "/api/v1/users/{id}/sessions", access: .permission(.usersRead))
    /// Ends every session of a user.
    static let userSessionsEnd = Endpoint(method: .delete, path: "/api/v1/users/{id}/sessions", access: .permission(.usersWrite))
    /// Drops a user's second factor so that it enrols again.
    static let userMFAReset = Endpoint(method: .delete, path: "/api/v1/users/{id}/mfa", access: .permission(.usersWrite))

    /// Sign-in notice, second-factor enrolment and the administration of accounts.
    static let accounts: [Endpoint] = [
        authNotice, mfaEnrolment, mfaEnrolmentConfirm, userUnlock, userPassword, userSessions, userSessionsEnd, userMFAReset,
    ]
}
