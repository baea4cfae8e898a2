import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import RTCCCore

/// How to reach the mail relay that delivers the program's mail (verification links, approvals, footage requests).
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP, as a relay on the same host or network accepts it (no credentials may be sent).
        case none
        /// Plain connection upgraded with `STARTTLS` before anything else is said (submission, port 587).
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case tls
    }

    /// Relay host name or address.
    public var host: String
    /// Relay port.
    public var port: Int
    /// Connection protection.
    public var security: Security
    /// Account for `AUTH` (PLAIN or LOGIN, as the relay offers); nil sends without authenticating.
    public var username: String?
    /// The account's password (from the environment or a file, never a config file in the repository).
    public var password: String?
    /// PEM file of certificate authorities trusted for the relay (a city's own CA); nil uses the system's.
    public var trustRootsPath: String?
    /// The envelope and `From:` address.
    public var from: String
    /// Name this server gives in `EHLO`.
    public var heloName: String
    /// Longest wait for the relay to connect or answer any command.
    public var timeout: Duration

    /// Creates settings.
    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, trustRootsPath: String? = nil,
        from: String, heloName: String = "rtcc.localdomain", timeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustRootsPath = trustRootsPath
        self.from = from
        self.heloName = heloName
        self.timeout = timeout
    }
}

/// Why a mail could not be handed to the relay; `permanent` when the relay refused it for good (a 5xx answer), so
/// trying again later would not help.
public struct SMTPFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, with the relay's answer when there is one.
    public var description: String
    /// A 5xx refusal (bad address, relaying denied): do not retry.
    public var permanent: Bool

    init(_ description: String, permanent: Bool = false) {
        self.description = description
        self.permanent = permanent
    }
}

/// One mail ready for the relay.
public struct MailMessage: Sendable, Equatable {
    /// Recipient address.
    public var to: String
    /// Subject line (any Unicode; encoded for the header when not ASCII).
    public var subject: String
    /// Plain-text body.
    public var body: String
    /// Globally unique id for the `Message-ID:` header.
    public var id: UUID
    /// The `Date:` header.
    public var date: Date

    /// Creates a message.
    public init(to: String, subject: String, body: String, id: UUID = UUID(), date: Date = Date()) {
        self.to = to
        self.subject = subject
        self.body = body
        self.id = id
        self.date = date
    }

    /// The message as sent after `DATA` (RFC 5322 headers, a base64 UTF-8 body, dot-stuffed, CRLF line ends),
    /// without the final `.` line.
    public func rendered(from: String, heloName: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let body = Data(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id.uuidString.lowercased())@\(heloName)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "Auto-Submitted: auto-generated",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    /// ASCII text as is; anything else as RFC 2047 encoded words (base64 UTF-8), split so that no word passes 75 bytes.
    public static func encodedHeader(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) { return clean }
        var words: [String] = []
        var piece = ""
        for character in clean {
            if (piece + String(character)).utf8.count > 45 {
                words.append(piece)
                piece = ""
            }
            piece.append(character)
        }
        if !piece.isEmpty { words.append(piece) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: `EHLO`, optional `STARTTLS` or implicit TLS, `AUTH PLAIN`/`LOGIN`,
/// then one message per connection. Every step waits at most the settings' timeout.
public struct SMTPClient: Sendable {
    /// Where and how to connect.
    public let settings: SMTPSettings
    /// The networks the relay may be on; checked (every address of its name) before each connection.
    public let policy: NetworkPolicy

    /// Creates a client for a relay that `policy` allows.
    public init(settings: SMTPSettings, policy: NetworkPolicy = .default) {
        self.settings = settings
        self.policy = policy
    }

    /// Hands `message` to the relay; returns the relay's final answer (`250 …`, usually with its queue id).
    @discardableResult
    public func send(_ message: MailMessage) async throws -> String {
        guard Self.isPlainAddress(message.to) else { throw SMTPFailure("'\(message.to)' is not a plain e-mail address", permanent: true) }
        guard Self.isPlainAddress(settings.from) else { throw SMTPFailure("mailFrom '\(settings.from)' is not a plain e-mail address", permanent: true) }
        if settings.username != nil, settings.security == .none {
            throw SMTPFailure("refusing to send the SMTP password over an unprotected connection: set smtpSecurity to starttls or tls", permanent: true)
        }
        let tls = settings.security == .none ? nil : try makeTLSContext()
        let timeout = settings.timeout
        let connection = try await connect(tls: settings.security == .tls ? tls : nil)
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await connection.executeThenClose { inbound, outbound in
                    var session = Session(replies: ReplyReader(inbound.makeAsyncIterator()), outbound: outbound)
                    return try await converse(&session, channel: connection.channel, tls: tls, message: message)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                connection.channel.close(promise: nil)
                throw SMTPFailure("the mail relay \(settings.host):\(settings.port) did not answer within \(timeout)")
            }
            return answer
        }
    }

    private func connect(tls: NIOSSLContext?) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let host = settings.host
        do {
            _ = try policy.check(host: host)
        } catch {
            throw SMTPFailure("not connecting to the mail relay: \(error)")
        }
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(Int64(max(1, settings.timeout.components.seconds))))
        do {
            return try await bootstrap.connect(host: host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw SMTPFailure("cannot connect to the mail relay \(host):\(settings.port): \(error)")
        }
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let path = settings.trustRootsPath {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw SMTPFailure("smtpCAFile \(path) is not a readable PEM certificate file: \(error)", permanent: true)
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The conversation after connecting; returns the answer to the message.
    private func converse(_ session: inout Session, channel: any Channel, tls: NIOSSLContext?, message: MailMessage) async throws -> String {
        try await session.expect(220, "greeting")
        var capabilities = try await session.command("EHLO \(settings.heloName)", expect: 250)
        if settings.security == .startTLS {
            guard capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                throw SMTPFailure("the mail relay \(settings.host) does not offer STARTTLS; set smtpSecurity to none only for a relay on a trusted network")
            }
            try await session.command("STARTTLS", expect: 220)
            guard let tls else { throw SMTPFailure("TLS is not configured") }
            let host = settings.host
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first)
            }.get()
            // RFC 3207: everything learnt before TLS is forgotten; ask again.
            capabilities = try await session.command("EHLO \(settings.heloName)", expect: 250)
        }
        if let username = settings.username {
            let password = settings.password ?? ""
            let mechanisms = capabilities.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ").dropFirst().map(String.init) ?? []
            if mechanisms.contains("PLAIN") {
                let credentials = Data(("\0" + username + "\0" + password).utf8).base64EncodedString()
                try await session.command("AUTH PLAIN \(credentials)", expect: 235, shown: "AUTH PLAIN (credentials)")
            } else if mechanisms.contains("LOGIN") {
                try await session.command("AUTH LOGIN", expect: 334)
                try await session.command(Data(username.utf8).base64EncodedString(), expect: 334, shown: "(user name)")
                try await session.command(Data(password.utf8).base64EncodedString(), expect: 235, shown: "(password)")
            } else {
                throw SMTPFailure("the mail relay offers no AUTH PLAIN or LOGIN (it offers: \(mechanisms.joined(separator: " ")))", permanent: true)
            }
        }
        try await session.command("MAIL FROM:<\(settings.from)>", expect: 250)
        try await session.command("RCPT TO:<\(message.to)>", expect: 250, alsoAccept: [251], aboutTheMail: true)
        try await session.command("DATA", expect: 354)
        let content = message.rendered(from: settings.from, heloName: settings.heloName)
        // Dot-stuffing (RFC 5321 §4.5.2): a line that starts with a dot gets another.
        let stuffed = content.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        let answer = try await session.command(stuffed + ".", expect: 250, shown: "(message)", aboutTheMail: true)
        try? await session.send("QUIT")
        return answer.last.map { "250 " + $0 } ?? "250"
    }

    /// A host name for SNI (addresses are not sent).
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
    }

    /// One address without display name, spaces, angle brackets or line breaks (nothing that could inject commands).
    public static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), address.utf8.count <= 254 else { return false }
        return !address.contains(where: { $0.isWhitespace || "<>()[],;:\\\"".contains($0) || $0.asciiValue == nil })
    }

    /// The client's half of the conversation.
    private struct Session {
        var replies: ReplyReader
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        func send(_ line: String) async throws {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
        }

        /// Waits for a reply and checks its code; returns its text lines. A 5xx answer is a permanent failure only
        /// when it is about this mail (`aboutTheMail`: the recipient or the message), not about the relay's settings.
        @discardableResult
        mutating func expect(_ code: Int, _ what: String, alsoAccept: Set<Int> = [], aboutTheMail: Bool = false) async throws -> [String] {
            let (got, lines) = try await replies.next()
            guard got == code || alsoAccept.contains(got) else {
                throw SMTPFailure(
                    "the mail relay answered \(what) with \(got) \(lines.joined(separator: " / "))", permanent: aboutTheMail && (500..<600).contains(got))
            }
            return lines
        }

        /// Sends a command and checks the reply; `shown` replaces the command in errors (credentials, the message).
        @discardableResult
        mutating func command(
            _ line: String, expect code: Int, alsoAccept: Set<Int> = [], shown: String? = nil, aboutTheMail: Bool = false
        ) async throws -> [String] {
            try await send(line)
            return try await expect(code, shown ?? line, alsoAccept: alsoAccept, aboutTheMail: aboutTheMail)
        }
    }
}

/// Reads SMTP replies from the relay: `250-…` lines continue, `250 …` ends a reply.
struct ReplyReader {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffered: [UInt8] = []

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

    /// The next complete reply: its code and the text of each line.
    mutating func next() async throws -> (code: Int, lines: [String]) {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200..<600).contains(code) else {
                throw SMTPFailure("the mail relay sent something that is not an SMTP reply: \(line.prefix(80))")
            }
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { continue }
            return (code, lines)
        }
    }

    private mutating func nextLine() async throws -> String {
        while true {
            if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffered[..<end])
                buffered.removeSubrange(...end)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard buffered.count < 4096 else { throw SMTPFailure("the mail relay sent a line over 4 KiB") }
            guard var chunk = try await iterator.next() else { throw SMTPFailure("the mail relay closed the connection") }
            buffered += chunk.readBytes(length: chunk.readableBytes) ?? []
        }
    }
}
