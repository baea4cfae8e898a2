extension SessionDescription {
    /// The description as SDP text with CRLF line endings, in RFC 8866 field order.
    public var text: String {
        var lines = ["v=\(version)"]
        let origin = origin ?? SDPOrigin(sessionID: "0")
        lines.append(
            "o=\(origin.username) \(origin.sessionID) \(origin.sessionVersion) \(origin.networkType) \(origin.addressType) \(origin.address)")
        lines.append("s=\(sessionName.isEmpty ? "-" : sessionName)")
        if let information { lines.append("i=\(information)") }
        if let connection { lines.append("c=\(connection)") }
        lines.append("t=\(timing ?? "0 0")")
        lines += attributes.map(\.line)
        for media in media {
            let port = media.portCount.map { "\(media.port)/\($0)" } ?? "\(media.port)"
            lines.append((["m=\(media.type)", port, media.proto] + media.formats).joined(separator: " "))
            if let connection = media.connection { lines.append("c=\(connection)") }
            lines += media.bandwidths.map { "b=\($0)" }
            lines += media.attributes.map(\.line)
        }
        return lines.map { $0.filter { !$0.isNewline } }.joined(separator: "\r\n") + "\r\n"
    }
}

extension SDPAttribute {
    fileprivate var line: String { value.map { "a=\(name):\($0)" } ?? "a=\(name)" }
}

extension SessionDescription {
    /// Resolves a media section's `a=control` to the URL for SETUP (RFC 2326 §C.1.1).
    ///
    /// The base is the session-level control if absolute, else `contentBase` (from `Content-Base`,
    /// `Content-Location` or the request URL). An absolute control is used as is, `*` means the base,
    /// and a relative one is appended to the base with one `/` between.
    public func controlURL(for media: MediaDescription, contentBase: String) -> String {
        var base = contentBase
        if let sessionControl = control, sessionControl != "*" {
            base = Self.isAbsolute(sessionControl) ? sessionControl : Self.join(base, sessionControl)
        }
        guard let control = media.control, !control.isEmpty, control != "*" else { return base }
        if Self.isAbsolute(control) { return control }
        return Self.join(base, control)
    }

    /// The aggregate control URL for PLAY/TEARDOWN.
    public func aggregateControlURL(contentBase: String) -> String {
        guard let control, control != "*" else { return contentBase }
        return Self.isAbsolute(control) ? control : Self.join(contentBase, control)
    }

    private static func isAbsolute(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return lowered.hasPrefix("rtsp://") || lowered.hasPrefix("rtsps://") || lowered.hasPrefix("rtspu://")
    }

    private static func join(_ base: String, _ relative: String) -> String {
        let trimmed = relative.hasPrefix("/") ? String(relative.dropFirst()) : relative
        return base.hasSuffix("/") ? base + trimmed : base + "/" + trimmed
    }
}
