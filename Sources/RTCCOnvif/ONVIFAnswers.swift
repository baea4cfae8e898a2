import Foundation

/// The ONVIF service namespaces the client speaks.
public enum ONVIFNamespace {
    /// Device management (`tds`).
    public static let device = "http://www.onvif.org/ver10/device/wsdl"
    /// Media, profile S (`trt`).
    public static let media = "http://www.onvif.org/ver10/media/wsdl"
    /// PTZ (`tptz`).
    public static let ptz = "http://www.onvif.org/ver20/ptz/wsdl"
    /// Events (`tev`).
    public static let events = "http://www.onvif.org/ver10/events/wsdl"
    /// WS-BaseNotification (`wsnt`): Renew and Unsubscribe of a pull point.
    public static let notification = "http://docs.oasis-open.org/wsn/b-2"
}

/// Where each service of a device answers, from `GetServices` (or `GetCapabilities` on older devices).
public struct ServiceAddresses: Sendable, Equatable, Codable {
    /// Media service address.
    public var media: String?
    /// PTZ service address; nil when the device has no PTZ.
    public var ptz: String?
    /// Event service address; nil when the device sends no events.
    public var events: String?

    /// Creates the addresses.
    public init(media: String? = nil, ptz: String? = nil, events: String? = nil) {
        self.media = media
        self.ptz = ptz
        self.events = events
    }

    /// Reads a `GetServicesResponse` (each `Service` names its namespace and `XAddr`).
    public static func fromServices(_ response: SOAPResponse) throws(ONVIFError) -> ServiceAddresses {
        guard response.payload.name == "GetServicesResponse" else { throw .missing("GetServicesResponse") }
        var result = ServiceAddresses()
        for service in response.payload.all("Service") {
            guard let namespace = service.first("Namespace")?.trimmed, let address = service.first("XAddr")?.trimmed else { continue }
            switch namespace {
            case ONVIFNamespace.media: result.media = address
            case ONVIFNamespace.ptz: result.ptz = address
            case ONVIFNamespace.events: result.events = address
            default: break
            }
        }
        return result
    }

    /// Reads a `GetCapabilitiesResponse` (`Capabilities/Media/XAddr`, `…/PTZ/XAddr`, `…/Events/XAddr`).
    public static func fromCapabilities(_ response: SOAPResponse) throws(ONVIFError) -> ServiceAddresses {
        guard response.payload.name == "GetCapabilitiesResponse", let capabilities = response.payload.first("Capabilities")
        else { throw .missing("GetCapabilitiesResponse/Capabilities") }
        return ServiceAddresses(
            media: capabilities.at("Media", "XAddr")?.trimmed, ptz: capabilities.at("PTZ", "XAddr")?.trimmed,
            events: capabilities.at("Events", "XAddr")?.trimmed)
    }
}

/// The URI in a `GetStreamUriResponse` or `GetSnapshotUriResponse`.
public enum MediaURI {
    /// The `MediaUri/Uri` of the answer.
    public static func uri(_ response: SOAPResponse) throws(ONVIFError) -> String {
        guard let uri = response.payload.at("MediaUri", "Uri")?.trimmed else { throw .missing("MediaUri/Uri") }
        return uri
    }
}

/// One video encoder configuration, from `GetVideoEncoderConfigurations`.
public struct VideoEncoderConfiguration: Sendable, Equatable, Codable {
    /// Its token.
    public var token: String
    /// `H264`, `H265`, `JPEG`…
    public var encoding: String?
    /// Picture width, pixels.
    public var width: Int?
    /// Picture height, pixels.
    public var height: Int?
    /// Frames per second.
    public var framesPerSecond: Int?
    /// kbit/s.
    public var bitrateKbps: Int?

    /// The configurations in a `GetVideoEncoderConfigurationsResponse` (or the single one of a device that answers
    /// with `GetVideoEncoderConfigurationResponse`).
    public static func all(_ response: SOAPResponse) throws(ONVIFError) -> [VideoEncoderConfiguration] {
        let p = response.payload
        guard p.name == "GetVideoEncoderConfigurationsResponse" || p.name == "GetVideoEncoderConfigurationResponse"
        else { throw .missing("GetVideoEncoderConfigurationsResponse") }
        return p.children.filter { $0.name == "Configurations" || $0.name == "Configuration" }.map(Self.init(element:))
    }

    init(element: XMLTreeElement) {
        token = element.attributes["token"] ?? ""
        encoding = element.first("Encoding")?.trimmed
        width = element.at("Resolution", "Width")?.integer
        height = element.at("Resolution", "Height")?.integer
        framesPerSecond = element.at("RateControl", "FrameRateLimit")?.integer
        bitrateKbps = element.at("RateControl", "BitrateLimit")?.integer
    }
}

/// A pan/tilt/zoom position or speed in ONVIF's generic spaces: pan and tilt −1…1, zoom 0…1 (speeds −1…1).
public struct PTZVector: Sendable, Equatable, Codable {
    /// Pan.
    public var pan: Double?
    /// Tilt.
    public var tilt: Double?
    /// Zoom.
    public var zoom: Double?

    /// Creates a vector; a nil axis is left out of the request.
    public init(pan: Double? = nil, tilt: Double? = nil, zoom: Double? = nil) {
        self.pan = pan
        self.tilt = tilt
        self.zoom = zoom
    }

    /// The `tt:PanTilt`/`tt:Zoom` elements.
    var xml: String {
        var result = ""
        if pan != nil || tilt != nil { result += "<tt:PanTilt x=\"\(Self.format(pan ?? 0))\" y=\"\(Self.format(tilt ?? 0))\"/>" }
        if let zoom { result += "<tt:Zoom x=\"\(Self.format(zoom))\"/>" }
        return result
    }

    /// A value as the requests write it (four decimals).
    public static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// Reads an element holding `PanTilt x= y=` and `Zoom x=`.
    init(element: XMLTreeElement?) {
        pan = element?.first("PanTilt")?.attributes["x"].flatMap(Double.init)
        tilt = element?.first("PanTilt")?.attributes["y"].flatMap(Double.init)
        zoom = element?.first("Zoom")?.attributes["x"].flatMap(Double.init)
    }
}

/// Where a PTZ camera points and whether it is moving, from `GetStatus`.
public struct PTZStatus: Sendable, Equatable, Codable {
    /// The position; axes the device does not report are nil.
    public var position: PTZVector
    /// `IDLE`, `MOVING` or `UNKNOWN` for pan/tilt, as the device says.
    public var moving: String?

    /// Reads a `GetStatusResponse`.
    public init(_ response: SOAPResponse) throws(ONVIFError) {
        guard response.payload.name == "GetStatusResponse", let status = response.payload.first("PTZStatus") else { throw .missing("GetStatusResponse/PTZStatus") }
        position = PTZVector(element: status.first("Position"))
        moving = status.at("MoveStatus", "PanTilt")?.trimmed ?? status.first("MoveStatus")?.trimmed
    }
}

/// A PTZ preset.
public struct PTZPreset: Sendable, Equatable, Codable {
    /// The device's token for it.
    public var token: String
    /// Its name.
    public var name: String
    /// Its position, when the device reports it.
    public var position: PTZVector?

    /// The presets in a `GetPresetsResponse`.
    public static func all(_ response: SOAPResponse) throws(ONVIFError) -> [PTZPreset] {
        guard response.payload.name == "GetPresetsResponse" else { throw .missing("GetPresetsResponse") }
        return response.payload.all("Preset").compactMap { preset in
            guard let token = preset.attributes["token"], !token.isEmpty else { return nil }
            let position = preset.first("PTZPosition").map { PTZVector(element: $0) }
            return PTZPreset(token: token, name: preset.first("Name")?.trimmed ?? token, position: position)
        }
    }
}

/// What happened, as an ONVIF event says it.
public enum ONVIFEventKind: String, Sendable, Codable {
    /// Motion in the picture (`VideoSource/MotionAlarm`, `RuleEngine/CellMotionDetector/Motion`).
    case motion
    /// The camera was covered, moved or blinded (`VideoSource/GlobalSceneChange`, tampering topics).
    case tampering
}

/// One notification from a pull point.
public struct ONVIFEvent: Sendable, Equatable, Codable {
    /// The topic, e.g. `tns1:VideoSource/MotionAlarm`.
    public var topic: String
    /// Motion or tampering; nil for topics the RTCC does not act on.
    public var kind: ONVIFEventKind?
    /// Whether the condition started (true) or ended (false); nil when the message carries no state.
    public var active: Bool?
    /// `Initialized`, `Changed` or `Deleted`.
    public var operation: String?
    /// The device's time of the event.
    public var time: Date?
    /// The source items (e.g. `VideoSourceConfigurationToken`).
    public var source: [String: String]
}

/// An open pull-point subscription.
public struct PullPointSubscription: Sendable, Equatable {
    /// The subscription's address (where PullMessages, Renew and Unsubscribe go).
    public var address: String
    /// When the device will drop it unless renewed, in the device's time.
    public var terminationTime: Date?

    /// Reads a `CreatePullPointSubscriptionResponse`.
    public init(_ response: SOAPResponse) throws(ONVIFError) {
        guard response.payload.name == "CreatePullPointSubscriptionResponse",
            let address = response.payload.at("SubscriptionReference", "Address")?.trimmed
        else { throw .missing("CreatePullPointSubscriptionResponse/SubscriptionReference/Address") }
        self.address = address
        terminationTime = response.payload.first("TerminationTime")?.trimmed.flatMap(ONVIFTime.parse)
    }

    /// The messages in a `PullMessagesResponse`.
    public static func messages(_ response: SOAPResponse) throws(ONVIFError) -> [ONVIFEvent] {
        guard response.payload.name == "PullMessagesResponse" else { throw .missing("PullMessagesResponse") }
        return response.payload.all("NotificationMessage").map { notification in
            let topic = notification.first("Topic")?.trimmed ?? ""
            // wsnt:Message holds tt:Message.
            let message = notification.first("Message")?.first("Message")
            func items(_ name: String) -> [String: String] {
                var result: [String: String] = [:]
                for item in message?.first(name)?.all("SimpleItem") ?? [] {
                    if let key = item.attributes["Name"], let value = item.attributes["Value"] { result[key] = value }
                }
                return result
            }
            let data = items("Data")
            let state = ["State", "IsMotion", "IsTamper", "IsGlobalSceneChange"].lazy.compactMap { data[$0] }.first
            return ONVIFEvent(
                topic: topic, kind: Self.kind(of: topic), active: state.map { $0.lowercased() == "true" || $0 == "1" },
                operation: message?.attributes["PropertyOperation"], time: message?.attributes["UtcTime"].flatMap(ONVIFTime.parse),
                source: items("Source"))
        }
    }

    /// Which kind a topic is, by its last path elements (prefixes differ between devices).
    static func kind(of topic: String) -> ONVIFEventKind? {
        let lower = topic.lowercased()
        if lower.contains("motionalarm") || lower.contains("cellmotiondetector") || lower.hasSuffix("/motion") { return .motion }
        if lower.contains("globalscenechange") || lower.contains("tamper") { return .tampering }
        return nil
    }
}

/// `xsd:dateTime` and `xsd:duration` as ONVIF devices write them.
public enum ONVIFTime {
    /// A UTC `xsd:dateTime` with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// `PTnS` for a whole number of seconds (at least 1).
    public static func duration(seconds: Int) -> String { "PT\(max(1, seconds))S" }
}
