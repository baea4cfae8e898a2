import Foundation
import RTCCServer
import Testing

/// Mail to the city's relay: the message as sent, and settings that refuse to leak a password.
@Suite struct MailTests {
    @Test func aMessageCarriesItsHeadersAndAnExactUTF8BodyWhateverItsLines() throws {
        let date = Date(timeIntervalSince1970: 1_796_000_000)
        let id = UUID()
        let body = "Hello Zoë,\n.a line starting with a dot\r\nand the link https://rtcc.example/signup?verify=abc\n"
        let message = MailMessage(to: "zoe@example.org", subject: "Confirm your sign-up", body: body, id: id, date: date)
        let text = message.rendered(from: "rtcc@city.example", heloName: "rtcc.city.example")
        let (head, encoded) = try #require(text.range(of: "\r\n\r\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) })
        let headers = head.components(separatedBy: "\r\n")
        #expect(headers.contains("From: rtcc@city.example") && headers.contains("To: zoe@example.org") && headers.contains("Subject: Confirm your sign-up"))
        #expect(headers.contains("Message-ID: <\(id.uuidString.lowercased())@rtcc.city.example>"))
        #expect(headers.contains("Date: Mon, 30 Nov 2026 00:53:20 +0000"))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8") && headers.contains("Content-Transfer-Encoding: base64"))
        let lines = encoded.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.allSatisfy { $0.count <= 76 }, "base64 lines stay within 76 characters")
        let decoded = try #require(Data(base64Encoded: lines.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func aSubjectOutsideASCIIIsEncodedAndNoHeaderCanBeInjected() {
        let encoded = MailMessage.encodedHeader("Demande de séquence vidéo pour la caméra « Entrée » n° 12 — affaire 26-1044")
        #expect(encoded.hasPrefix("=?utf-8?B?") && encoded.allSatisfy { $0.isASCII })
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.allSatisfy { $0.utf8.count <= 75 })
        let decoded = words.map { word -> String in
            let payload = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(payload)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded == "Demande de séquence vidéo pour la caméra « Entrée » n° 12 — affaire 26-1044")
        #expect(MailMessage.encodedHeader("Hi\r\nBcc: victim@example.org") == "Hi  Bcc: victim@example.org", "line breaks cannot start a header")
        #expect(!SMTPClient.isPlainAddress("a@example.org>\r\nRCPT TO:<b@example.org"))
        #expect(!SMTPClient.isPlainAddress("Pat <pat@example.org>") && SMTPClient.isPlainAddress("pat.lee+rtcc@example.org"))
    }

    @Test func relaySettingsAreValidatedAndAPasswordNeedsAProtectedConnection() throws {
        var config = AppConfig()
        #expect(config.smtpSettings == nil, "without a relay, mail stays in the outbox")
        try config.apply(environment: ["RTCC_SMTP_RELAY": "mail.city.gov:587", "RTCC_MAIL_FROM": "rtcc@city.gov"])
        #expect(config.smtpSettings?.security == .startTLS && config.smtpSettings?.host == "mail.city.gov" && config.smtpSettings?.port == 587)
        try config.apply(environment: ["RTCC_SMTP_RELAY": "mail.city.gov:465"])
        #expect(config.smtpSettings?.security == .tls)
        try config.apply(environment: ["RTCC_SMTP_RELAY": "relay.internal:25"])
        #expect(config.smtpSettings?.security == SMTPSettings.Security.none)
        try config.apply(environment: ["RTCC_SMTP_USERNAME": "rtcc", "RTCC_SMTP_PASSWORD": "secret"])
        #expect(throws: AppConfig.Invalid.self) { try config.validate() }
        try config.apply(environment: ["RTCC_SMTP_SECURITY": "starttls"])
        try config.validate()
        #expect(throws: AppConfig.Invalid.self) { try config.apply(environment: ["RTCC_SMTP_RELAY": "no-port"]) }
        #expect(throws: AppConfig.Invalid.self) { try config.apply(environment: ["RTCC_SMTP_SECURITY": "ssl"]) }
        #expect(throws: AppConfig.Invalid.self) { try config.apply(environment: ["RTCC_MAIL_FROM": "RTCC <rtcc@city.gov>"]) }
        #expect(throws: AppConfig.Invalid.self) { try config.apply(environment: ["RTCC_MAIL_RETRY_SECONDS": "0"]) }
        var noPassword = AppConfig()
        try noPassword.apply(environment: ["RTCC_SMTP_RELAY": "mail.city.gov:587", "RTCC_SMTP_USERNAME": "rtcc"])
        #expect(throws: AppConfig.Invalid.self) { try noPassword.validate() }
    }

    @Test func aFailedDeliveryWaitsLongerEachTimeUpToAnHour() {
        #expect(MailRetryPolicy.pause(afterAttempt: 1, first: 60) == 60)
        #expect(MailRetryPolicy.pause(afterAttempt: 3, first: 60) == 240)
        #expect(MailRetryPolicy.pause(afterAttempt: 9, first: 60) == 3600)
    }
}
