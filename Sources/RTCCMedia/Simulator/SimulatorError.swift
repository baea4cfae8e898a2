/// Why a simulator clip could not be made or loaded, or a simulator could not start.
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An external tool (such as `ffmpeg`) is not installed.
    case toolMissing(String)
    /// An external tool failed; `output` is the end of what it printed.
    case toolFailed(tool: String, status: Int32, output: String)
    /// A file could not be read or written.
    case fileAccess(path: String, reason: String)
    /// The elementary stream cannot be played as a clip.
    case invalidClip(String)
    /// A setting is out of range.
    case invalidConfiguration(String)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .toolMissing(let tool): "\(tool) is missing; install it (e.g. apt-get install -y ffmpeg)"
        case .toolFailed(let tool, let status, let output): "\(tool) exited with status \(status): \(output)"
        case .fileAccess(let path, let reason): "cannot access \(path): \(reason)"
        case .invalidClip(let reason): "invalid clip: \(reason)"
        case .invalidConfiguration(let reason): "invalid simulator configuration: \(reason)"
        }
    }
}
