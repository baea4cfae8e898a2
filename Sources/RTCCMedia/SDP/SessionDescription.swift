/// A session description (RFC 8866), the subset RTSP cameras and servers use.
public struct SessionDescription: Sendable, Equatable {
    /// `v=`, always 0.
    public var version: Int
    /// `o=`, if present.
    public var origin: SDPOrigin?
    /// `s=`.
    public var sessionName: String
    /// `i=`, if present.
    public var information: String?
    /// `c=` at session level, if present.
    public var connection: String?
    /// `t=`, if present, as written.
    public var timing: String?
    /// Session-level `a=` attributes, in order.
    public var attributes: [SDPAttribute]
    /// The `m=` sections, in order.
    public var media: [MediaDescription]

    /// Creates a description.
    public init(
        version: Int = 0, origin: SDPOrigin? = nil, sessionName: String = "-", information: String? = nil,
        connection: String? = nil, timing: String? = "0 0", attributes: [SDPAttribute] = [], media: [MediaDescription] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.connection = connection
        self.timing = timing
        self.attributes = attributes
        self.media = media
    }

    /// The session-level `a=control` value, if any.
    public var control: String? { attributes.value(of: "control") }
}

/// The `o=` line.
public struct SDPOrigin: Sendable, Equatable {
    /// The user name, `-` when none.
    public var username: String
    /// The session id.
    public var sessionID: String
    /// The session version.
    public var sessionVersion: String
    /// The network type, `IN`.
    public var networkType: String
    /// The address type, `IP4` or `IP6`.
    public var addressType: String
    /// The unicast address.
    public var address: String

    /// Creates an origin.
    public init(
        username: String = "-", sessionID: String, sessionVersion: String = "1", networkType: String = "IN",
        addressType: String = "IP4", address: String = "127.0.0.1"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }
}

/// An `a=` line: a name and an optional value (`a=recvonly` has none).
public struct SDPAttribute: Sendable, Equatable {
    /// The attribute name.
    public var name: String
    /// The value after the colon, if any.
    public var value: String?

    /// Creates an attribute.
    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension [SDPAttribute] {
    /// The value of the first attribute called `name` (case-sensitive, as RFC 8866 says).
    public func value(of name: String) -> String? {
        first { $0.name == name }?.value
    }

    /// The values of every attribute called `name`.
    public func values(of name: String) -> [String] {
        filter { $0.name == name }.compactMap(\.value)
    }
}

/// An `m=` section.
public struct MediaDescription: Sendable, Equatable {
    /// The media type, such as `video` or `audio`.
    public var type: String
    /// The port (0 in RTSP descriptions usually).
    public var port: Int
    /// The number of ports, if given as `port/count`.
    public var portCount: Int?
    /// The transport protocol, such as `RTP/AVP`.
    public var proto: String
    /// The format list; for RTP, payload type numbers as text.
    public var formats: [String]
    /// `c=` for this media, if present.
    public var connection: String?
    /// `b=` lines, as written.
    public var bandwidths: [String]
    /// Media-level `a=` attributes, in order.
    public var attributes: [SDPAttribute]

    /// Creates a media section.
    public init(
        type: String, port: Int = 0, portCount: Int? = nil, proto: String = "RTP/AVP", formats: [String],
        connection: String? = nil, bandwidths: [String] = [], attributes: [SDPAttribute] = []
    ) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.bandwidths = bandwidths
        self.attributes = attributes
    }

    /// The formats that are valid RTP payload types (0...127).
    public var payloadTypes: [UInt8] {
        formats.compactMap { UInt8($0) }.filter { $0 < 128 }
    }

    /// The `a=control` value, if any.
    public var control: String? { attributes.value(of: "control") }

    /// The `a=rtpmap` entries, in order; malformed ones are left out.
    public var rtpMaps: [SDPRTPMap] {
        attributes.values(of: "rtpmap").compactMap { SDPRTPMap(parsing: $0) }
    }

    /// The `a=rtpmap` of `payloadType`, if any.
    public func rtpMap(for payloadType: UInt8) -> SDPRTPMap? {
        rtpMaps.first { $0.payloadType == payloadType }
    }

    /// The `a=fmtp` parameters of `payloadType` (empty when absent).
    public func formatParameters(for payloadType: UInt8) -> SDPFormatParameters {
        for value in attributes.values(of: "fmtp") {
            let (format, parameters) = value.splitOnce(" ")
            if UInt8(format) == payloadType { return SDPFormatParameters(parsing: parameters ?? "") }
        }
        return SDPFormatParameters(parsing: "")
    }
}

/// An `a=rtpmap` value: `<payload type> <encoding name>/<clock rate>[/<channels>]`.
public struct SDPRTPMap: Sendable, Equatable {
    /// The RTP payload type.
    public var payloadType: UInt8
    /// The encoding name as written, e.g. `H264`.
    public var encodingName: String
    /// The RTP clock rate in hertz.
    public var clockRate: Int
    /// The channel count for audio, if given.
    public var channels: Int?

    /// Creates an rtpmap.
    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses `96 H264/90000`; returns `nil` when malformed.
    public init?(parsing value: String) {
        let (format, encoding) = value.splitOnce(" ")
        guard let payloadType = UInt8(format), payloadType < 128, let encoding else { return nil }
        let parts = encoding.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts[0].isEmpty, let rate = Int(parts[1]), rate > 0 else { return nil }
        var channels: Int?
        if parts.count > 2 {
            guard let count = Int(parts[2]), count > 0 else { return nil }
            channels = count
        }
        self.init(payloadType: payloadType, encodingName: String(parts[0]), clockRate: rate, channels: channels)
    }

    /// The attribute value.
    public var attributeValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }
}
