import Foundation

extension ONVIFDevice {
    private func ptzAddress() async throws(ONVIFError) -> String {
        guard let ptz = try await services().ptz else { throw .unsupported("PTZ") }
        return ptz
    }

    private func ptz(_ operation: String, _ parameters: String) async throws(ONVIFError) -> SOAPResponse {
        try await call(ONVIFNamespace.ptz, operation, parameters, at: try await ptzAddress())
    }

    private static func profile(_ token: String) -> String { XMLText.element("o:ProfileToken", token) }

    /// Where the camera points and whether it moves.
    public func ptzStatus(profile: String) async throws(ONVIFError) -> PTZStatus {
        try PTZStatus(try await ptz("GetStatus", Self.profile(profile)))
    }

    /// Starts moving at `velocity` (each axis −1…1); the camera stops by itself after `timeoutSeconds` should the stop
    /// never come (a dropped connection must not leave a camera spinning).
    public func continuousMove(profile: String, velocity: PTZVector, timeoutSeconds: Int = 5) async throws(ONVIFError) {
        _ = try await ptz(
            "ContinuousMove", Self.profile(profile) + "<o:Velocity>\(velocity.xml)</o:Velocity>" + XMLText.element("o:Timeout", ONVIFTime.duration(seconds: timeoutSeconds)))
    }

    /// Stops pan, tilt and zoom.
    public func stop(profile: String) async throws(ONVIFError) {
        _ = try await ptz("Stop", Self.profile(profile) + "<o:PanTilt>true</o:PanTilt><o:Zoom>true</o:Zoom>")
    }

    /// Moves by `translation` from where it points.
    public func relativeMove(profile: String, translation: PTZVector) async throws(ONVIFError) {
        _ = try await ptz("RelativeMove", Self.profile(profile) + "<o:Translation>\(translation.xml)</o:Translation>")
    }

    /// Moves to `position`.
    public func absoluteMove(profile: String, position: PTZVector) async throws(ONVIFError) {
        _ = try await ptz("AbsoluteMove", Self.profile(profile) + "<o:Position>\(position.xml)</o:Position>")
    }

    /// The presets.
    public func presets(profile: String) async throws(ONVIFError) -> [PTZPreset] {
        try PTZPreset.all(try await ptz("GetPresets", Self.profile(profile)))
    }

    /// Goes to a preset.
    public func gotoPreset(profile: String, token: String) async throws(ONVIFError) {
        _ = try await ptz("GotoPreset", Self.profile(profile) + XMLText.element("o:PresetToken", token))
    }

    /// Stores the current position as a preset named `name` (replacing the preset `token` when given) and returns
    /// the preset's token.
    public func setPreset(profile: String, name: String, token: String? = nil) async throws(ONVIFError) -> String {
        let answer = try await ptz(
            "SetPreset", Self.profile(profile) + XMLText.element("o:PresetName", name) + (token.map { XMLText.element("o:PresetToken", $0) } ?? ""))
        guard let stored = answer.payload.first("PresetToken")?.trimmed else { throw .missing("SetPresetResponse/PresetToken") }
        return stored
    }

    /// Removes a preset.
    public func removePreset(profile: String, token: String) async throws(ONVIFError) {
        _ = try await ptz("RemovePreset", Self.profile(profile) + XMLText.element("o:PresetToken", token))
    }

    /// Goes to the home position.
    public func gotoHome(profile: String) async throws(ONVIFError) {
        _ = try await ptz("GotoHomePosition", Self.profile(profile))
    }
}

extension ONVIFDevice {
    /// Opens a pull-point subscription to every event the device sends, kept for `seconds` unless renewed.
    public func createPullPoint(seconds: Int = 120) async throws(ONVIFError) -> PullPointSubscription {
        guard let events = try await services().events else { throw .unsupported("events") }
        return try PullPointSubscription(
            try await call(ONVIFNamespace.events, "CreatePullPointSubscription", XMLText.element("o:InitialTerminationTime", ONVIFTime.duration(seconds: seconds)), at: events))
    }

    /// Waits up to `seconds` for at most `limit` messages on `subscription`.
    public func pullMessages(_ subscription: PullPointSubscription, seconds: Int = 5, limit: Int = 20) async throws(ONVIFError) -> [ONVIFEvent] {
        try PullPointSubscription.messages(
            try await call(
                ONVIFNamespace.events, "PullMessages", XMLText.element("o:Timeout", ONVIFTime.duration(seconds: seconds)) + XMLText.element("o:MessageLimit", String(limit)),
                at: subscription.address, action: "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest",
                addressedTo: subscription.address, timeout: .seconds(seconds + 8)))
    }

    /// Keeps `subscription` for `seconds` more.
    public func renew(_ subscription: PullPointSubscription, seconds: Int = 120) async throws(ONVIFError) {
        _ = try await call(
            ONVIFNamespace.notification, "Renew", XMLText.element("o:TerminationTime", ONVIFTime.duration(seconds: seconds)), at: subscription.address,
            action: "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest", addressedTo: subscription.address)
    }

    /// Ends `subscription`.
    public func unsubscribe(_ subscription: PullPointSubscription) async throws(ONVIFError) {
        _ = try await call(
            ONVIFNamespace.notification, "Unsubscribe", at: subscription.address,
            action: "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest", addressedTo: subscription.address)
    }
}
