import Foundation
import RTCCCore
import RTCCStore

/// The server's settings, loaded once at start-up from defaults, a JSON file, the environment and flags
/// (later sources win), and validated before anything starts.
public struct AppConfig: Sendable, Equatable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on (0 picks a free one).
    public var port = 8080
    /// Where the SQLite file, keys and recordings live.
    public var dataDirectory = "./data"
    /// Database; defaults to `<dataDirectory>/rtcc.sqlite`.
    public var database: StoreLocation?
    /// Base64 AES-256 key for stream credentials; defaults to a key generated once in the data directory.
    public var credentialKey: String?
    /// PEM certificate chain for HTTPS.
    public var tlsCertificatePath: String?
    /// PEM private key for HTTPS.
    public var tlsKeyPath: String?
    /// Sessions lock after this many seconds without a request.
    public var sessionIdleSeconds = 1800
    /// bcrypt cost for passwords.
    public var bcryptCost = 12
    /// Consecutive failed sign-ins before an account locks.
    public var maxFailedLogins = 5
    /// How long an account stays locked, seconds.
    public var lockoutSeconds = 900
    /// Sign-in attempts allowed per source address per minute.
    public var loginAttemptsPerMinute = 20
    /// Whether `serve` records cameras.
    public var recordingEnabled = true
    /// Where recordings go; defaults to `<dataDirectory>/recordings`. Several folders on different volumes are
    /// separated by `:` (as in `PATH`): cameras are spread over them by free space and move off one that fails.
    public var recordingsDirectory: String?
    /// Recording segment length, seconds.
    public var segmentSeconds = 60
    /// No video for this many seconds raises an offline event.
    public var offlineSeconds = 10
    /// RTP transport for cameras: `tcp`, `udp` (falls back to TCP) .
    public var rtspTransport = "tcp"
    /// Total recording bytes allowed before the oldest unheld footage is deleted; nil for none.
    public var diskQuotaBytes: Int64?
    /// Free bytes kept on the recordings volume: below this, the oldest unheld footage is deleted (checked every 5 s).
    public var recordingsMinimumFreeBytes: Int64 = 256 << 20
    /// The archive folder (a second volume, a NAS): sealed segments older than ``archiveAfterDays`` move there and
    /// play back and export from there; nil keeps everything in the recordings folder.
    public var archiveDirectory: String?
    /// Days after which a sealed segment moves to the archive folder.
    public var archiveAfterDays = 30
    /// Map tile URL template for the web app's map (`https://tile.example.org/{z}/{x}/{y}.png`); nil shows no tiles.
    public var mapTileURL: String?
    /// Intake accepts located events only inside this box (`south,west,north,east`).
    public var intakeArea = IntakeArea.demoCity
    /// Recordings are bookmarked from this many seconds before an event to as many after.
    public var bookmarkSeconds = 30
    /// An ONVIF camera whose clock is off the server's by more than this many seconds raises an alert (its footage
    /// is timed by the server, but its overlays and events are not).
    public var onvifClockDriftSeconds = 5
    /// Seconds between checks of each ONVIF camera (its clock, that it answers).
    public var onvifCheckSeconds = 300
    /// Seconds a PTZ operator keeps control of a camera after the last command.
    public var ptzLockSeconds = 30
    /// Days an alert's bookmarked footage on city cameras is kept past the camera's retention (longer while the alert
    /// is linked to a case; not at all once it is dismissed).
    public var bookmarkKeepDays = 90
    /// At most this many cameras (nearest first) are correlated with one event.
    public var correlatedCameras = 6
    /// Seconds between signed checkpoints of the audit log's head (written only when entries were added).
    public var auditCheckpointSeconds = 60
    /// Intake events each API token may send per second (with a burst of as many); more are refused with 429.
    public var intakeEventsPerSecond = 2000
    /// Public community sign-ups accepted per source address per hour (more get 429).
    public var signUpsPerHour = 5
    /// The address mail links point to (`https://rtcc.example.org`); without it links are relative paths.
    public var publicURL: String?
    /// The largest clip a camera owner may upload for a footage request (413 above it).
    public var footageUploadMaxBytes = 512 * 1024 * 1024
    /// The mail relay as `host:port`; nil keeps mail in the outbox (read in the dev viewer) without sending it.
    public var smtpRelay: String?
    /// How the relay connection is protected; nil picks by port: 465 TLS, 587 STARTTLS, otherwise none.
    public var smtpSecurity: SMTPSettings.Security?
    /// Account on the relay; nil sends without authenticating.
    public var smtpUsername: String?
    /// The relay account's password (set it in the environment, `RTCC_SMTP_PASSWORD`).
    public var smtpPassword: String?
    /// PEM file of certificate authorities trusted for the relay; nil uses the system's.
    public var smtpCAFile: String?
    /// The address mail is sent from.
    public var mailFrom = "rtcc@localhost"
    /// Minutes a "live during alarms" camera stays shared (watched and recorded) after an alert that concerns it.
    public var alarmShareMinutes = 10
    /// Seconds before a failed delivery is first tried again (the pause then doubles, up to an hour).
    public var mailRetrySeconds = 60
    /// The networks the server may connect to (cameras, detection services, the mail relay, node peers); link-local
    /// and cloud metadata addresses are refused even when listed. Default: loopback and the private ranges.
    public var outboundNetworks = NetworkPolicy.default
    /// A group that may read recordings: files are then 0640 and folders 0750 with this group; nil keeps them 0600/0700.
    public var recordingsGroup: String?
    /// Seconds a client has to send a request's complete head (request line and headers) once it connects or starts
    /// a later request; then 408 and the connection is closed.
    public var headerTimeoutSeconds = 10
    /// Seconds a kept-alive connection may wait for its next request before it is closed.
    public var idleTimeoutSeconds = 75
    /// Connections one source address may hold open at once; more are answered 503 and closed.
    public var maxConnectionsPerAddress = 256
    /// The most bytes of header lines a request may send (431 above).
    public var maxHeaderBytes = 16 * 1024
    /// The longest request line accepted, in bytes (414 above).
    public var maxRequestLineBytes = 8 * 1024
    /// `standard`, or `cjis` for the FBI CJIS Security Policy's account rules (docs/SECURITY.md): lockout of the
    /// account until an administrator releases it, re-authentication every 12 hours, a required system-use notice.
    public var securityProfile = SecurityProfile.standard
    /// Roles that must sign in with a second factor (TOTP); nil when not configured (no role must; `rtcc serve`
    /// then requires it of every staff role, `rtcc demo` of none).
    public var mfaRequiredRoles: Set<Role>?
    /// The system-use notice shown before sign-in (CJIS AC-8); required by the cjis profile.
    public var systemUseNotice: String?
    /// Sessions must sign in again this many seconds after signing in, however active; nil for the profile's
    /// default (cjis 43200, standard none).
    public var sessionMaxSeconds: Int?
    /// This server's place in a recorder cluster (a single server by default).
    public var cluster = ClusterSettings()
    /// Whether `lockoutSeconds` was set (file, environment or flag): in the cjis profile a locked account otherwise
    /// stays locked until an administrator unlocks it.
    public var lockoutSecondsIsSet = false

    /// The relay settings, or nil when mail is not sent.
    public var smtpSettings: SMTPSettings? {
        guard let relay = smtpRelay, let colon = relay.lastIndex(of: ":"), let port = Int(relay[relay.index(after: colon)...]) else { return nil }
        let host = String(relay[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let security = smtpSecurity ?? (port == 465 ? .tls : port == 587 ? .startTLS : SMTPSettings.Security.none)
        return SMTPSettings(
            host: host, port: port, security: security, username: smtpUsername, password: smtpPassword, trustRootsPath: smtpCAFile, from: mailFrom,
            heloName: publicURL.flatMap { URL(string: $0)?.host } ?? "rtcc.localdomain")
    }

    /// The (first) recordings folder: where the index journal is kept.
    public var resolvedRecordingsDirectory: String { resolvedRecordingsDirectories[0] }

    /// Every recordings folder, one per volume, in the order configured.
    public var resolvedRecordingsDirectories: [String] {
        let listed = (recordingsDirectory ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        return listed.isEmpty ? [URL(fileURLWithPath: dataDirectory).appendingPathComponent("recordings").path] : listed
    }

    /// Creates the defaults.
    public init() {}

    /// The database to use.
    public var resolvedDatabase: StoreLocation {
        database ?? .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("rtcc.sqlite").path)
    }

    /// Whether HTTPS is configured.
    public var usesTLS: Bool { tlsCertificatePath != nil }

    /// A bad setting, named with where it came from and what is expected.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        /// The setting and the problem.
        public var description: String
    }

    /// Applies `RTCC_*` environment variables.
    public mutating func apply(environment: [String: String]) throws(Invalid) {
        for (key, value) in environment where key.hasPrefix("RTCC_") {
            guard let setting = Self.settingNames[key] else { continue }
            try set(setting, value, from: "environment variable \(key)")
        }
    }

    /// Applies a JSON file of settings (keys as in ``settingNames``' values).
    public mutating func apply(file path: String) throws(Invalid) {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "config file \(path) cannot be read") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(description: "config file \(path) is not a JSON object")
        }
        let known = Set(Self.settingNames.values)
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else {
                throw Invalid(description: "config file \(path): unknown setting '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            try set(key, "\(value)", from: "config file \(path), setting \(key)")
        }
    }

    /// Environment variable → setting name.
    public static let settingNames: [String: String] = [
        "RTCC_HOST": "host", "RTCC_PORT": "port", "RTCC_DATA": "dataDirectory", "RTCC_DATABASE": "database",
        "RTCC_CREDENTIAL_KEY": "credentialKey", "RTCC_TLS_CERT": "tlsCertificatePath", "RTCC_TLS_KEY": "tlsKeyPath",
        "RTCC_SESSION_IDLE_SECONDS": "sessionIdleSeconds", "RTCC_BCRYPT_COST": "bcryptCost",
        "RTCC_MAX_FAILED_LOGINS": "maxFailedLogins", "RTCC_LOCKOUT_SECONDS": "lockoutSeconds",
        "RTCC_LOGIN_ATTEMPTS_PER_MINUTE": "loginAttemptsPerMinute", "RTCC_RECORDING": "recordingEnabled",
        "RTCC_RECORDINGS": "recordingsDirectory", "RTCC_SEGMENT_SECONDS": "segmentSeconds", "RTCC_OFFLINE_SECONDS": "offlineSeconds",
        "RTCC_RTSP_TRANSPORT": "rtspTransport", "RTCC_DISK_QUOTA_BYTES": "diskQuotaBytes", "RTCC_RECORDINGS_MINIMUM_FREE_BYTES": "recordingsMinimumFreeBytes",
        "RTCC_ARCHIVE": "archiveDirectory", "RTCC_ARCHIVE_AFTER_DAYS": "archiveAfterDays",
        "RTCC_MAP_TILE_URL": "mapTileURL", "RTCC_INTAKE_AREA": "intakeArea", "RTCC_BOOKMARK_SECONDS": "bookmarkSeconds", "RTCC_ONVIF_CLOCK_DRIFT_SECONDS": "onvifClockDriftSeconds",
        "RTCC_ONVIF_CHECK_SECONDS": "onvifCheckSeconds", "RTCC_PTZ_LOCK_SECONDS": "ptzLockSeconds", "RTCC_BOOKMARK_KEEP_DAYS": "bookmarkKeepDays",
        "RTCC_CORRELATED_CAMERAS": "correlatedCameras", "RTCC_AUDIT_CHECKPOINT_SECONDS": "auditCheckpointSeconds", "RTCC_INTAKE_EVENTS_PER_SECOND": "intakeEventsPerSecond",
        "RTCC_SIGNUPS_PER_HOUR": "signUpsPerHour", "RTCC_PUBLIC_URL": "publicURL", "RTCC_FOOTAGE_UPLOAD_MAX_BYTES": "footageUploadMaxBytes",
        "RTCC_SMTP_RELAY": "smtpRelay", "RTCC_SMTP_SECURITY": "smtpSecurity", "RTCC_SMTP_USERNAME": "smtpUsername",
        "RTCC_SMTP_PASSWORD": "smtpPassword", "RTCC_SMTP_CA_FILE": "smtpCAFile", "RTCC_MAIL_FROM": "mailFrom",
        "RTCC_MAIL_RETRY_SECONDS": "mailRetrySeconds", "RTCC_ALARM_SHARE_MINUTES": "alarmShareMinutes",
        "RTCC_OUTBOUND_NETWORKS": "outboundNetworks", "RTCC_RECORDINGS_GROUP": "recordingsGroup",
        "RTCC_HEADER_TIMEOUT_SECONDS": "headerTimeoutSeconds", "RTCC_IDLE_TIMEOUT_SECONDS": "idleTimeoutSeconds",
        "RTCC_MAX_CONNECTIONS_PER_ADDRESS": "maxConnectionsPerAddress", "RTCC_MAX_HEADER_BYTES": "maxHeaderBytes",
        "RTCC_MAX_REQUEST_LINE_BYTES": "maxRequestLineBytes",
        "RTCC_SECURITY_PROFILE": "securityProfile", "RTCC_MFA_REQUIRED_ROLES": "mfaRequiredRoles",
        "RTCC_SYSTEM_USE_NOTICE": "systemUseNotice", "RTCC_SESSION_MAX_SECONDS": "sessionMaxSeconds",
        "RTCC_NODE": "nodeName", "RTCC_NODE_CAPACITY": "nodeCapacity", "RTCC_NODE_ROLES": "nodeRoles", "RTCC_NODE_URL": "nodeURL",
        "RTCC_LEASE_SECONDS": "leaseSeconds", "RTCC_CLUSTER_SECRET": "clusterSecret", "RTCC_SHARED_STORAGE": "sharedStorage",
    ]

    /// Sets one setting from text, with a clear error naming `origin`.
    public mutating func set(_ setting: String, _ value: String, from origin: String) throws(Invalid) {
        func int(_ range: ClosedRange<Int>) throws(Invalid) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw Invalid(description: "\(origin): '\(value)' must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        switch setting {
        case "host": host = value
        case "port": port = try int(0...65535)
        case "dataDirectory": dataDirectory = value
        case "database":
            do { database = try StoreLocation(parsing: value) } catch { throw Invalid(description: "\(origin): \(error)") }
        case "credentialKey":
            do { _ = try CredentialCipher(base64Key: value) } catch { throw Invalid(description: "\(origin): \(error)") }
            credentialKey = value
        case "tlsCertificatePath": tlsCertificatePath = value
        case "tlsKeyPath": tlsKeyPath = value
        case "sessionIdleSeconds": sessionIdleSeconds = try int(60...86_400)
        case "bcryptCost": bcryptCost = try int(4...31)
        case "maxFailedLogins": maxFailedLogins = try int(1...100)
        case "lockoutSeconds":
            lockoutSeconds = try int(1...86_400)
            lockoutSecondsIsSet = true
        case "loginAttemptsPerMinute": loginAttemptsPerMinute = try int(1...10_000)
        case "recordingEnabled":
            guard let flag = Bool(value.lowercased()) ?? (value == "1" ? true : value == "0" ? false : nil) else {
                throw Invalid(description: "\(origin): '\(value)' must be true or false")
            }
            recordingEnabled = flag
        case "recordingsDirectory": recordingsDirectory = value
        case "archiveDirectory": archiveDirectory = value.isEmpty ? nil : value
        case "archiveAfterDays": archiveAfterDays = try int(1...3650)
        case "segmentSeconds": segmentSeconds = try int(2...3600)
        case "offlineSeconds": offlineSeconds = try int(1...3600)
        case "rtspTransport":
            guard ["tcp", "udp"].contains(value) else { throw Invalid(description: "\(origin): '\(value)' must be tcp or udp") }
            rtspTransport = value
        case "diskQuotaBytes":
            guard let bytes = Int64(value), bytes > 0 else { throw Invalid(description: "\(origin): '\(value)' must be a positive number of bytes") }
            diskQuotaBytes = bytes
        case "recordingsMinimumFreeBytes":
            guard let bytes = Int64(value), bytes >= 0 else { throw Invalid(description: "\(origin): '\(value)' must be a number of bytes (0 turns the check off)") }
            recordingsMinimumFreeBytes = bytes
        case "mapTileURL":
            guard value.isEmpty || (value.hasPrefix("https://") && value.contains("{z}")) else {
                throw Invalid(description: "\(origin): '\(value)' must be an https:// URL template with {z}, {x} and {y} (the page allows only https images), or empty for no tiles")
            }
            mapTileURL = value.isEmpty ? nil : value
        case "intakeArea":
            guard let area = IntakeArea(parsing: value) else {
                throw Invalid(description: "\(origin): '\(value)' must be south,west,north,east in decimal degrees, with south < north and west < east")
            }
            intakeArea = area
        case "bookmarkSeconds": bookmarkSeconds = try int(1...3600)
        case "onvifClockDriftSeconds": onvifClockDriftSeconds = try int(1...86_400)
        case "onvifCheckSeconds": onvifCheckSeconds = try int(5...86_400)
        case "ptzLockSeconds": ptzLockSeconds = try int(5...3600)
        case "bookmarkKeepDays": bookmarkKeepDays = try int(0...3650)
        case "correlatedCameras": correlatedCameras = try int(0...50)
        case "auditCheckpointSeconds": auditCheckpointSeconds = try int(1...3600)
        case "intakeEventsPerSecond": intakeEventsPerSecond = try int(1...1_000_000)
        case "signUpsPerHour": signUpsPerHour = try int(1...10_000)
        case "footageUploadMaxBytes": footageUploadMaxBytes = try int(1024...(64 * 1024 * 1024 * 1024))
        case "publicURL":
            guard value.isEmpty || ((value.hasPrefix("https://") || value.hasPrefix("http://")) && URL(string: value)?.host != nil) else {
                throw Invalid(description: "\(origin): '\(value)' must be the server's public http(s):// address, or empty")
            }
            publicURL = value.isEmpty ? nil : String(value.reversed().drop(while: { $0 == "/" }).reversed())
        case "smtpRelay":
            guard value.isEmpty || Self.isRelay(value) else {
                throw Invalid(description: "\(origin): '\(value)' must be host:port of the mail relay (for example mail.city.gov:587), or empty to keep mail in the outbox")
            }
            smtpRelay = value.isEmpty ? nil : value
        case "smtpSecurity":
            guard let security = SMTPSettings.Security(rawValue: value.lowercased()) else {
                throw Invalid(description: "\(origin): '\(value)' must be one of \(SMTPSettings.Security.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            smtpSecurity = security
        case "mailRetrySeconds": mailRetrySeconds = try int(1...3600)
        case "alarmShareMinutes": alarmShareMinutes = try int(1...1440)
        case "smtpUsername": smtpUsername = value.isEmpty ? nil : value
        case "smtpPassword": smtpPassword = value.isEmpty ? nil : value
        case "smtpCAFile": smtpCAFile = value.isEmpty ? nil : value
        case "outboundNetworks":
            do { outboundNetworks = try NetworkPolicy(parsing: value) } catch {
                throw Invalid(description: "\(origin): \(error) (a comma-separated list of networks such as 10.0.0.0/8,fc00::/7)")
            }
        case "recordingsGroup": recordingsGroup = value.isEmpty ? nil : value
        case "headerTimeoutSeconds": headerTimeoutSeconds = try int(Self.httpLimitRanges[setting]!)
        case "idleTimeoutSeconds": idleTimeoutSeconds = try int(Self.httpLimitRanges[setting]!)
        case "maxConnectionsPerAddress": maxConnectionsPerAddress = try int(Self.httpLimitRanges[setting]!)
        case "maxHeaderBytes": maxHeaderBytes = try int(Self.httpLimitRanges[setting]!)
        case "maxRequestLineBytes": maxRequestLineBytes = try int(Self.httpLimitRanges[setting]!)
        case "mailFrom":
            guard SMTPClient.isPlainAddress(value) else {
                throw Invalid(description: "\(origin): '\(value)' must be a plain e-mail address such as rtcc@city.gov")
            }
            mailFrom = value
        default:
            if try setAccountSetting(setting, value, from: origin) { break }
            if try setClusterSetting(setting, value, from: origin) { break }
            throw Invalid(description: "\(origin): unknown setting '\(setting)'")
        }
    }

    /// `host:port` with a port from 1 to 65535 (an IPv6 host in brackets).
    static func isRelay(_ value: String) -> Bool {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]), (1...65535).contains(port) else { return false }
        let host = value[..<colon]
        return !host.isEmpty && !host.contains(where: \.isWhitespace)
    }

    /// Checks settings that depend on each other.
    public func validate() throws(Invalid) {
        let volumes = resolvedRecordingsDirectories.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        func overlap(_ a: String, _ b: String) -> Bool { a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/") }
        for (i, a) in volumes.enumerated() {
            for b in volumes[(i + 1)...] where overlap(a, b) {
                throw Invalid(description: "recordingsDirectory lists \(a) and \(b), which overlap: give each volume's folder once, none inside another")
            }
        }
        if let archive = archiveDirectory {
            let folder = URL(fileURLWithPath: archive).standardizedFileURL.path
            for recordings in volumes where overlap(folder, recordings) {
                throw Invalid(description: "archiveDirectory \(archive) must be a folder apart from the recordings folder \(recordings) (another volume, or a NAS)")
            }
        }
        if let settings = smtpSettings {
            if settings.username != nil, settings.security == .none {
                throw Invalid(description: "smtpUsername is set but the relay connection is not protected: set smtpSecurity to starttls or tls (the password is never sent in clear)")
            }
            if settings.username != nil, smtpPassword == nil {
                throw Invalid(description: "smtpUsername is set without a password: set RTCC_SMTP_PASSWORD")
            }
            if let path = smtpCAFile, !FileManager.default.isReadableFile(atPath: path) {
                throw Invalid(description: "smtpCAFile \(path) cannot be read")
            }
        }
        try validateHTTPLimits()
        try validateAccountSettings()
        try validateClusterSettings()
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            throw Invalid(description: "--tls-cert and --tls-key must be given together")
        }
        for path in [tlsCertificatePath, tlsKeyPath].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: path) {
            throw Invalid(description: "TLS file \(path) cannot be read")
        }
    }

    /// The credential cipher: the configured key, or one generated once and kept (mode 0600) in the data directory.
    public func makeCipher() throws -> CredentialCipher {
        if let credentialKey { return try CredentialCipher(base64Key: credentialKey) }
        let url = URL(fileURLWithPath: dataDirectory).appendingPathComponent("credential.key")
        if let existing = try? String(contentsOf: url, encoding: .utf8) { return try CredentialCipher(base64Key: existing) }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = CredentialCipher.generateKey()
        try key.write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return try CredentialCipher(base64Key: key)
    }
}

extension AppConfig {
    /// The values each HTTP limit may take.
    static let httpLimitRanges: [String: ClosedRange<Int>] = [
        "headerTimeoutSeconds": 1...300, "idleTimeoutSeconds": 1...3600, "maxConnectionsPerAddress": 1...100_000,
        "maxHeaderBytes": 1024...1_048_576, "maxRequestLineBytes": 256...1_048_576,
    ]

    /// Checks the HTTP limits (values set in code skip ``set(_:_:from:)``'s ranges).
    func validateHTTPLimits() throws(Invalid) {
        let values = [
            "headerTimeoutSeconds": headerTimeoutSeconds, "idleTimeoutSeconds": idleTimeoutSeconds,
            "maxConnectionsPerAddress": maxConnectionsPerAddress, "maxHeaderBytes": maxHeaderBytes, "maxRequestLineBytes": maxRequestLineBytes,
        ]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let range = Self.httpLimitRanges[name], !range.contains(value) else { continue }
            throw Invalid(description: "\(name) is \(value); it must be from \(range.lowerBound) to \(range.upperBound)")
        }
    }
}
