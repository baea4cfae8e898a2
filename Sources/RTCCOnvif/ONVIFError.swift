import Foundation

/// Why an ONVIF call failed; each case says what to check.
public enum ONVIFError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The answer is not well-formed XML or not a SOAP envelope.
    case malformed(String)
    /// The device answered with a SOAP fault.
    case fault(code: String, subcode: String?, reason: String)
    /// The answer lacks an element the operation must return.
    case missing(String)
    /// The device refused the credentials (a `NotAuthorized` fault, or HTTP 401 after digest authentication).
    case notAuthorized(String)
    /// No connection could be made to the device.
    case unreachable(String)
    /// The device did not answer within the time allowed.
    case timedOut(seconds: Double)
    /// The device answered with an HTTP status that carries no SOAP answer.
    case httpStatus(Int)
    /// The address is not usable (not http(s), no host, or barred by the outbound network policy).
    case badAddress(String)
    /// The device does not offer what was asked (no PTZ, no events service).
    case unsupported(String)

    public var description: String {
        switch self {
        case .malformed(let why): "the device's answer is not a SOAP envelope (\(why)); check that the address is the device's ONVIF service"
        case .fault(let code, let subcode, let reason): "the device answered with a fault \(subcode ?? code): \(reason)"
        case .missing(let element): "the device's answer lacks \(element)"
        case .notAuthorized(let why): "the device refused the credentials (\(why)); check the user name and password"
        case .unreachable(let why): "the device could not be reached (\(why)); check the address and that the camera is on"
        case .timedOut(let seconds): "the device did not answer within \(Int(seconds.rounded())) s"
        case .httpStatus(let status): "the device answered HTTP \(status) without a SOAP answer; check the ONVIF service address"
        case .badAddress(let why): "the ONVIF address cannot be used: \(why)"
        case .unsupported(let what): "the device does not offer \(what)"
        }
    }

    /// A short machine-readable kind, for the API and metrics.
    public var kind: String {
        switch self {
        case .malformed: "malformed"
        case .fault: "fault"
        case .missing: "missing"
        case .notAuthorized: "not_authorized"
        case .unreachable: "unreachable"
        case .timedOut: "timed_out"
        case .httpStatus: "http_status"
        case .badAddress: "bad_address"
        case .unsupported: "unsupported"
        }
    }

    /// A fault whose subcode says the credentials were refused becomes ``notAuthorized(_:)``.
    static func from(fault code: String, subcode: String?, reason: String) -> ONVIFError {
        if let subcode, subcode == "NotAuthorized" || subcode.hasSuffix(":NotAuthorized") { return .notAuthorized(reason.isEmpty ? subcode : reason) }
        return .fault(code: code, subcode: subcode, reason: reason)
    }
}
