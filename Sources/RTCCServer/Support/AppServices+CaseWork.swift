import Foundation
import RTCCCore
import RTCCStore

extension AppServices {
    /// Links work done under a case number (a playback session, a hold, a footage request) to the case with that
    /// number, so the case and its custody report collect it without anyone linking it by hand. Audited as
    /// `cases.link`. Nothing happens when no case has the number (a request may name a police report number that has
    /// no case here yet); a failed lookup throws.
    func linkWork(
        toCaseNumbered number: String?, kind: CaseLink.Kind, reference: UUID, by identity: Identity?, context: AppRequestContext, purpose: String?
    ) async throws {
        guard let number, !number.isEmpty, let found = try await store.cases.find(number: number) else { return }
        let reference = reference.uuidString.lowercased()
        guard try await store.cases.link(caseID: found.id, kind: kind, reference: reference, by: identity?.actor ?? "anonymous") else { return }
        try await record(
            "cases.link", target: Store.auditTarget(caseID: found.id), detail: "\(kind.rawValue):\(reference) (recorded with the work)",
            by: identity, context: context, purpose: purpose)
    }
}
