import Foundation
import Hummingbird
import NIOCore
import RTCCCore
import RTCCStore

/// `/api/v1/cases/{id}/custody.html` and `.pdf`: the chain-of-custody report of a case. Reading it is audited too.
struct CustodyRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>) {
        router.add(.caseCustodyHTML, html)
        router.add(.caseCustodyPDF, pdf)
    }

    @Sendable func html(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let report = try await gather(request, context, identity, format: "html")
        return Reply.text(report.html, contentType: "text/html; charset=utf-8")
    }

    @Sendable func pdf(_ request: Request, _ context: AppRequestContext, _ identity: Identity?) async throws -> Response {
        let report = try await gather(request, context, identity, format: "pdf")
        let data = report.pdf
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf",
                .contentDisposition: "inline; filename=\"custody-\(ExportService.folderName(report.evidenceCase.number)).pdf\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Records the viewing first, so the report includes it.
    private func gather(_ request: Request, _ context: AppRequestContext, _ identity: Identity?, format: String) async throws -> CustodyReport {
        let found = try await CaseRoutes.find(context, services)
        try await services.record(
            "cases.custody_report", target: Store.auditTarget(caseID: found.id), detail: format, by: identity, context: context, purpose: request.purpose)
        return try await CustodyReport.gather(found, services: services, by: identity?.actor ?? "anonymous")
    }
}
