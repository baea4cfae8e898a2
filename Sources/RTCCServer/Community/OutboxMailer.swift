import Foundation
import Logging
import NIOCore
import NIOPosix
import RTCCCore
import RTCCStore
import ServiceLifecycle

/// Hands queued mail from the `outbox` table to an SMTP relay (`smtpRelay`, plain SMTP as a local relay such as Postfix
/// accepts it: no TLS, no authentication), marking each mail sent. Without a relay, mail stays in the outbox.
struct OutboxMailer: Service {
    let store: Store
    let relay: (host: String, port: Int)
    let from: String
    let logger: Logger
    var interval: Duration = .seconds(10)

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for mail in try await store.applications.unsent(limit: 50) {
                        try await send(mail)
                        try await store.applications.markSent(id: mail.id)
                    }
                } catch {
                    logger.warning("mail relay failed; mail stays in the outbox", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One SMTP conversation: HELO, MAIL FROM, RCPT TO, DATA, QUIT; any reply outside 2xx/3xx fails it.
    func send(_ mail: OutboxMail) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: relay.host, port: relay.port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        try await channel.executeThenClose { inbound, outbound in
            var replies = SMTPReplies(inbound.makeAsyncIterator())
            try await replies.expect(220)
            for (command, code) in [("HELO rtcc", 250), ("MAIL FROM:<\(from)>", 250), ("RCPT TO:<\(mail.to)>", 250), ("DATA", 354)] {
                try await outbound.write(ByteBuffer(string: command + "\r\n"))
                try await replies.expect(code)
            }
            let body = mail.body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
            let message = "From: \(from)\r\nTo: \(mail.to)\r\nSubject: \(mail.subject)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)\r\n.\r\n"
            try await outbound.write(ByteBuffer(string: message))
            try await replies.expect(250)
            try await outbound.write(ByteBuffer(string: "QUIT\r\n"))
        }
    }
}

/// Reads SMTP replies (possibly multi-line: `250-…` continues, `250 …` ends) from the relay.
struct SMTPReplies {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending = ""

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    /// Waits for the next complete reply and checks its code.
    mutating func expect(_ code: Int) async throws {
        while true {
            while let end = pending.range(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                guard line.count >= 3, let got = Int(line.prefix(3)) else { throw SMTPFailure(reply: line) }
                if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                guard got == code else { throw SMTPFailure(reply: line) }
                return
            }
            guard var buffer = try await iterator.next() else { throw SMTPFailure(reply: "the relay closed the connection") }
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
            if pending.count > 64 * 1024 { throw SMTPFailure(reply: "reply too long") }
        }
    }
}

/// The relay refused a step.
struct SMTPFailure: Error, CustomStringConvertible {
    var reply: String
    var description: String { "the SMTP relay answered: \(reply.prefix(200))" }
}
