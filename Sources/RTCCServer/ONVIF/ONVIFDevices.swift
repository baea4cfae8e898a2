import Foundation
import RTCCCore
import RTCCOnvif
import RTCCStore

/// One ``ONVIFDevice`` per linked camera, kept so that its clock offset and any HTTP digest challenge are learnt once,
/// not before every PTZ command; a changed link (new address or credentials) gets a new one.
actor ONVIFDevices {
    private var devices: [UUID: (linkedAt: Date, device: ONVIFDevice)] = [:]

    /// Why a linked camera's device cannot be reached.
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// A device at `address` with `credentials`, every URL it names checked against the outbound network policy.
    static func device(address: String, credentials: ONVIFCredentials?, policy: NetworkPolicy, timeout: Duration = .seconds(8)) -> ONVIFDevice {
        ONVIFDevice(address: address, credentials: credentials, timeout: timeout) { url throws(ONVIFError) in
            guard let host = URLComponents(string: url)?.host, !host.isEmpty else { throw .badAddress("\(url) has no host") }
            do {
                _ = try policy.check(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
            } catch {
                throw .badAddress(String(describing: error))
            }
        }
    }

    /// The device of a linked camera, its credentials opened from the store. A link whose credentials cannot be opened
    /// fails (never tried without them).
    func device(for link: ONVIFLink, services: AppServices) async throws -> ONVIFDevice {
        if let known = devices[link.cameraID], known.linkedAt == link.linkedAt { return known.device }
        let credentials: ONVIFCredentials?
        if let sealed = try await services.store.onvif.sealedSecrets(cameraID: link.cameraID) {
            do {
                credentials = try services.cipher.open(StreamCredentials.self, from: sealed).onvif
            } catch {
                throw Unavailable(description: "the camera's ONVIF credentials cannot be opened (\(error)); link the camera again")
            }
        } else {
            credentials = nil
        }
        let device = Self.device(address: link.address, credentials: credentials, policy: services.config.outboundNetworks)
        devices[link.cameraID] = (link.linkedAt, device)
        return device
    }

    /// Forgets a camera's device (after unlinking).
    func forget(_ cameraID: UUID) { devices[cameraID] = nil }
}

extension StreamCredentials {
    /// The same user name and password for the ONVIF client.
    var onvif: ONVIFCredentials { ONVIFCredentials(username: username, password: password) }
}
