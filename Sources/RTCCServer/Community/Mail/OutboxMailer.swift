import Foundation
import Logging
import RTCCCore
import RTCCStore
import ServiceLifecycle

/// Delivers the `outbox` table to the mail relay: each queued mail is sent as soon as it is queued (or within a few
/// seconds when the relay was down), marked sent, or retried with growing pauses (by default 1 min, 2, 4 … up to an hour) and
/// marked failed after ``OutboxMail/maximumAttempts`` tries or at once when the relay refuses it for good (5xx). The
/// mail and its last error stay visible in the outbox viewer either way.
struct OutboxMailer: Service {
    let store: Store
    let client: SMTPClient
    let wakeup: RegistryWakeup
    let logger: Logger
    /// Seconds before the first retry (then doubling, at most an hour).
    var firstPause: TimeInterval = 60
    /// How often the outbox is looked at when nothing signals a new mail.
    var pollInterval: Duration = .seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await deliverDue()
                await wakeup.wait(upTo: pollInterval)
            }
        }
    }

    /// Sends every mail that is due now; returns how many were sent.
    @discardableResult
    func deliverDue(now: Date = Date()) async -> Int {
        let due: [OutboxMail]
        do { due = try await store.applications.due(limit: 50, now: now) } catch {
            logger.warning("cannot read the outbox", metadata: ["error": "\(error)"])
            return 0
        }
        var sent = 0
        for mail in due {
            do {
                let answer = try await client.send(MailMessage(to: mail.to, subject: mail.subject, body: mail.body, id: mail.id, date: mail.createdAt))
                try await store.applications.markSent(id: mail.id)
                sent += 1
                logger.info("mail sent", metadata: ["to": "\(mail.to)", "relay": "\(answer)"])
            } catch {
                let failure = error as? SMTPFailure ?? SMTPFailure("\(error)")
                let attempt = mail.attempts + 1
                let retryAt = failure.permanent || attempt >= OutboxMail.maximumAttempts ? nil : Date().addingTimeInterval(MailRetryPolicy.pause(afterAttempt: attempt, first: firstPause))
                try? await store.applications.markAttemptFailed(id: mail.id, error: failure.description, retryAt: retryAt)
                logger.warning(
                    retryAt == nil ? "mail not delivered; given up" : "mail not delivered; will retry",
                    metadata: ["to": "\(mail.to)", "attempt": "\(attempt)", "error": "\(failure.description)"])
                // The relay is down: the others would fail the same way; they wait for the next round.
                if !failure.permanent { break }
            }
        }
        return sent
    }
}

/// How long a mail waits before it is tried again.
public enum MailRetryPolicy {
    /// Seconds to wait after the n-th failed attempt: `first`, doubling, at most an hour.
    public static func pause(afterAttempt attempt: Int, first: TimeInterval = 60) -> TimeInterval {
        min(3600, first * pow(2, Double(max(0, attempt - 1))))
    }
}
