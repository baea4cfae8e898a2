import Foundation

/// Control characters in text: found at the API's edge (where they are refused) and escaped where text must be kept
/// exactly as given (the audit log).
///
/// "Control character" means a C0 control (U+0000–U+001F) or DEL (U+007F); tab, line feed and carriage return may be
/// allowed where text has lines.
public enum ControlCharacters {
    /// The first control character in `text`, or nil.
    public static func first(in text: String, allowingLineBreaks: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { isRefused($0, allowingLineBreaks: allowingLineBreaks) }
    }

    /// The 1-based line of the first control character other than tab, line feed and carriage return in UTF-8 `bytes`.
    public static func firstLine(inBytes bytes: some Sequence<UInt8>) -> Int? {
        var line = 1
        for byte in bytes {
            if byte == 0x0A { line += 1; continue }
            if (byte < 0x20 && byte != 0x09 && byte != 0x0D) || byte == 0x7F { return line }
        }
        return nil
    }

    /// `text` with every control character other than tab, line feed and carriage return written as a visible escape
    /// (`\u{0}` becomes the six characters `\u0000`): text that every database stores and reads back unchanged.
    public static func escaped(_ text: String) -> String {
        guard first(in: text, allowingLineBreaks: true) != nil else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isRefused(scalar, allowingLineBreaks: true) {
                out.append(contentsOf: String(format: "\\u%04X", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    private static func isRefused(_ scalar: Unicode.Scalar, allowingLineBreaks: Bool) -> Bool {
        let value = scalar.value
        guard value < 0x20 || value == 0x7F else { return false }
        if allowingLineBreaks, value == 0x09 || value == 0x0A || value == 0x0D { return false }
        return true
    }
}
