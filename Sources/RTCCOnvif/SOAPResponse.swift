import Foundation

/// The body of a SOAP 1.2 answer, parsed by ``XMLTree`` (libxml2, strict; elements found by local name below the body,
/// as devices differ in their prefixes). Foundation's XML classes are not used: on Linux they crashed on hostile input.
public struct SOAPResponse {
    /// The first element of the body: the operation's response.
    public let payload: XMLTreeElement

    static let envelopeNamespace = "http://www.w3.org/2003/05/soap-envelope"

    /// Parses `data`; a fault becomes ``ONVIFError/fault(code:subcode:reason:)``.
    public init(data: Data) throws(ONVIFError) {
        guard let envelope = XMLTree.parse(data) else { throw .malformed("not well-formed XML") }
        guard envelope.name == "Envelope", envelope.namespace == Self.envelopeNamespace else { throw .malformed("no SOAP 1.2 Envelope") }
        guard let body = envelope.first("Body") else { throw .malformed("no Body") }
        guard let payload = body.children.first else { throw .malformed("an empty Body") }
        if payload.name == "Fault" {
            let code = payload.first("Code")?.first("Value")?.trimmed ?? "unknown"
            let subcode = payload.first("Code")?.first("Subcode")?.first("Value")?.trimmed
            let reason = payload.first("Reason")?.first("Text")?.trimmed ?? ""
            throw ONVIFError.from(fault: code, subcode: subcode, reason: reason)
        }
        self.payload = payload
    }
}

/// What `GetDeviceInformation` returns.
public struct DeviceInformation: Sendable, Equatable, Codable {
    public var manufacturer: String
    public var model: String
    public var firmwareVersion: String
    public var serialNumber: String
    public var hardwareID: String

    /// Reads a `GetDeviceInformationResponse`.
    public init(_ response: SOAPResponse) throws(ONVIFError) {
        let p = response.payload
        guard p.name == "GetDeviceInformationResponse" else { throw .missing("GetDeviceInformationResponse") }
        manufacturer = p.first("Manufacturer")?.trimmed ?? ""
        model = p.first("Model")?.trimmed ?? ""
        firmwareVersion = p.first("FirmwareVersion")?.trimmed ?? ""
        serialNumber = p.first("SerialNumber")?.trimmed ?? ""
        hardwareID = p.first("HardwareId")?.trimmed ?? ""
    }
}

/// The device's clock, from `GetSystemDateAndTime` (its UTC time).
public enum DeviceClock {
    /// The device's UTC time in a `GetSystemDateAndTimeResponse`.
    public static func utcTime(_ response: SOAPResponse) throws(ONVIFError) -> Date {
        guard let utc = response.payload.first("SystemDateAndTime")?.first("UTCDateTime"),
            let date = utc.first("Date"), let time = utc.first("Time")
        else { throw .missing("SystemDateAndTime/UTCDateTime") }
        func number(_ element: XMLTreeElement, _ name: String) throws(ONVIFError) -> Int {
            guard let value = element.first(name)?.trimmed.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else { throw .missing("UTCDateTime \(name)") }
            return value
        }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = try number(date, "Year")
        components.month = try number(date, "Month")
        components.day = try number(date, "Day")
        components.hour = try number(time, "Hour")
        components.minute = try number(time, "Minute")
        components.second = try number(time, "Second")
        guard components.isValidDate, let moment = components.date else { throw .missing("a valid UTCDateTime") }
        return moment
    }
}

/// One media profile: a stream the device offers, with its encoder settings.
public struct MediaProfile: Sendable, Equatable, Codable {
    public var token: String
    public var name: String
    /// `H264`, `H265`, `JPEG`…
    public var encoding: String?
    public var width: Int?
    public var height: Int?
    public var framesPerSecond: Int?
    /// kbit/s, as ONVIF gives it.
    public var bitrateKbps: Int?
    /// Whether the profile has a PTZ configuration (the camera can be steered through it).
    public var hasPTZ: Bool
    /// The token of its video encoder configuration.
    public var encoderToken: String?

    /// The profiles in a `GetProfilesResponse`.
    public static func all(_ response: SOAPResponse) throws(ONVIFError) -> [MediaProfile] {
        guard response.payload.name == "GetProfilesResponse" else { throw .missing("GetProfilesResponse") }
        return response.payload.children.filter { $0.name == "Profiles" }.map { profile in
            let encoder = profile.first("VideoEncoderConfiguration")
            func int(_ element: XMLTreeElement?) -> Int? { element?.trimmed.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            return MediaProfile(
                token: profile.attributes["token"] ?? "", name: profile.first("Name")?.trimmed ?? "",
                encoding: encoder?.first("Encoding")?.trimmed, width: int(encoder?.first("Resolution")?.first("Width")),
                height: int(encoder?.first("Resolution")?.first("Height")), framesPerSecond: int(encoder?.first("RateControl")?.first("FrameRateLimit")),
                bitrateKbps: int(encoder?.first("RateControl")?.first("BitrateLimit")), hasPTZ: profile.first("PTZConfiguration") != nil,
                encoderToken: encoder?.attributes["token"])
        }
    }
}

extension XMLTreeElement {
    /// The text, or nil when empty, trimmed of surrounding white space (as XML schema types are).
    public var trimmed: String? {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The element at the end of a path of local names (`first("A")?.first("B")…`).
    public func at(_ path: String...) -> XMLTreeElement? {
        var current: XMLTreeElement? = self
        for name in path { current = current?.first(name) }
        return current
    }

    /// Every child with this local name.
    public func all(_ localName: String) -> [XMLTreeElement] { children.filter { $0.name == localName } }

    /// The trimmed text as an integer.
    var integer: Int? { trimmed.flatMap { Int($0) } }

    /// The trimmed text as a decimal number (`xs:float`).
    var number: Double? { trimmed.flatMap { Double($0) } }
}
