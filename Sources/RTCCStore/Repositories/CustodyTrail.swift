import FluentKit
import Foundation
import RTCCCore
import SQLKit

extension Store {
    /// The audit target of a case: `case:<id>`. Actions on its packages and share links use targets below it
    /// (`case:<id>/package:<id>`, `case:<id>/package:<id>/share:<id>`), so one prefix finds a case's whole chain of custody.
    public static func auditTarget(caseID: UUID) -> String { "case:\(caseID.uuidString.lowercased())" }

    /// Every audit entry about a case, its packages and share links, oldest first.
    ///
    /// `footageRequests` are the case's linked footage requests: what their owners did with them (approval, refusal,
    /// the uploaded clip and its downloads, audited under `…/request:<id>`) belongs to the chain of custody too.
    public func custodyTrail(caseID: UUID, footageRequests: [UUID] = [], limit: Int = 10_000) async throws -> [AuditEntry] {
        let target = Self.auditTarget(caseID: caseID)
        return try await sql.select().column("*").from("audit_log")
            .where(group: { group in
                var clause = group.where("target", .equal, target).orWhere("target", .like, target + "/%")
                for id in footageRequests {
                    // A UUID holds no LIKE wildcard, so it is matched as written.
                    clause = clause.orWhere("target", .like, "%/request:\(id.uuidString.lowercased())")
                }
                return clause
            })
            .orderBy("sequence").limit(limit)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
