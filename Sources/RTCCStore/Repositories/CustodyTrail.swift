import FluentKit
import Foundation
import RTCCCore
import SQLKit

extension Store {
    /// The audit target of a case: `case:<id>`. Actions on its packages and share links use targets below it
    /// (`case:<id>/package:<id>`, `case:<id>/package:<id>/share:<id>`), so one prefix finds a case's whole chain of custody.
    public static func auditTarget(caseID: UUID) -> String { "case:\(caseID.uuidString.lowercased())" }

    /// Every audit entry about a case, its packages and share links, oldest first.
    public func custodyTrail(caseID: UUID, limit: Int = 10_000) async throws -> [AuditEntry] {
        let target = Self.auditTarget(caseID: caseID)
        return try await sql.select().column("*").from("audit_log")
            .where(group: { $0.where("target", .equal, target).orWhere("target", .like, target + "/%") })
            .orderBy("sequence").limit(limit)
            .all(decoding: AuditEntry.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
