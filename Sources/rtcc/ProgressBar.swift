import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Shows a fraction done on standard error: a redrawn bar when it is a terminal, otherwise a line every 10 %.
final class ProgressBar: Sendable {
    private let label: String
    private let terminal: Bool
    private let shown = Mutex(-1)

    init(label: String) {
        self.label = label
        terminal = isatty(STDERR_FILENO) == 1
    }

    /// Reports `fraction` (0…1); draws only when the shown value changes.
    func update(_ fraction: Double) {
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        let step = terminal ? percent : percent / 10 * 10
        let changed = shown.withLock { last in
            guard step > last else { return false }
            last = step
            return true
        }
        guard changed else { return }
        FileHandle.standardError.write(Data(render(step).utf8))
    }

    /// Ends the bar's line.
    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func render(_ percent: Int) -> String {
        guard terminal else { return "\(label) \(percent)%\n" }
        let width = 30
        let filled = width * percent / 100
        return "\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(percent)%"
    }
}
