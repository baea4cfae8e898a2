import HTTPTypes
import RTCCCore

extension Endpoint {
    static let casesList = Endpoint(method: .get, path: "/api/v1/cases", access: .permission(.casesRead))
    static let casesCreate = Endpoint(method: .post, path: "/api/v1/cases", access: .permission(.casesWrite))
    static let caseGet = Endpoint(method: .get, path: "/api/v1/cases/{id}", access: .permission(.casesRead))
    static let caseUpdate = Endpoint(method: .patch, path: "/api/v1/cases/{id}", access: .permission(.casesWrite))
    static let caseLink = Endpoint(method: .post, path: "/api/v1/cases/{id}/links", access: .permission(.casesWrite))
    static let caseNote = Endpoint(method: .post, path: "/api/v1/cases/{id}/notes", access: .permission(.casesWrite))
    static let caseCustodyHTML = Endpoint(method: .get, path: "/api/v1/cases/{id}/custody.html", access: .permission(.casesRead))
    static let caseCustodyPDF = Endpoint(method: .get, path: "/api/v1/cases/{id}/custody.pdf", access: .permission(.casesRead))
    static let caseExportsList = Endpoint(method: .get, path: "/api/v1/cases/{id}/exports", access: .permission(.casesRead))
    static let caseExportsStart = Endpoint(method: .post, path: "/api/v1/cases/{id}/exports", access: .permission(.evidenceExport))
    static let exportGet = Endpoint(method: .get, path: "/api/v1/exports/{id}", access: .permission(.casesRead))
    static let casePackages = Endpoint(method: .get, path: "/api/v1/cases/{id}/packages", access: .permission(.casesRead))
    static let packageGet = Endpoint(method: .get, path: "/api/v1/packages/{id}", access: .permission(.casesRead))
    static let packageDownload = Endpoint(method: .get, path: "/api/v1/packages/{id}/download", access: .permission(.evidenceExport))
    static let packageVerify = Endpoint(method: .post, path: "/api/v1/packages/{id}/verify", access: .permission(.casesRead))
    static let packageShares = Endpoint(method: .get, path: "/api/v1/packages/{id}/shares", access: .permission(.casesRead))
    static let packageShare = Endpoint(method: .post, path: "/api/v1/packages/{id}/shares", access: .permission(.evidenceRelease))
    static let shareRevoke = Endpoint(method: .delete, path: "/api/v1/shares/{id}", access: .permission(.evidenceRelease))
    /// The recipient's download: no RTCC account, the token is the credential.
    static let shareDownload = Endpoint(method: .get, path: "/api/v1/share/{id}", access: .everyone)

    /// The cases, evidence and release routes.
    static let evidence: [Endpoint] = [
        casesList, casesCreate, caseGet, caseUpdate, caseLink, caseNote, caseCustodyHTML, caseCustodyPDF, caseExportsList, caseExportsStart,
        exportGet, casePackages, packageGet, packageDownload, packageVerify, packageShares, packageShare, shareRevoke, shareDownload,
    ]
}
