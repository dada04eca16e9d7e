import Foundation

/// Text that came from a child (its summary, invalid reason, diff, file names, logs) made safe to print
/// on a terminal.
///
/// A child is written by a model that a search optimises, and its files by an agent that is hostile by
/// assumption: an escape sequence in a summary could retitle the user's terminal, clear it, hide lines,
/// or (on some terminals) answer back into the shell. Every control character is shown as a visible
/// escape instead (`\e`, `\r`, `\x07`, `\u{9B}`, `\u{202E}`), so a person sees what is there and the
/// terminal interprets nothing.
public enum DisplayText {
    /// `text` with every control character (C0, DEL, C1), bidirectional override and other invisible
    /// formatting character written as a visible escape. Newlines and tabs are kept when `multiline` is
    /// true (diffs, logs), escaped otherwise (one-line fields such as a summary or a file name).
    public static func escaped(_ text: String, multiline: Bool = false) -> String {
        // The common case, plain printable text, is returned as it is without building a new string.
        if !text.unicodeScalars.contains(where: { needsEscape($0, multiline: multiline) }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, multiline: multiline) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x00..<0x80: out += String(format: "\\x%02X", scalar.value)
            default: out += String(format: "\\u{%X}", scalar.value)
            }
        }
        return out
    }

    /// Whether a scalar would be interpreted by a terminal or hide text: C0 controls (but newline and tab
    /// in multi-line text), DEL, C1 controls (U+0080–U+009F: U+009B is a one-byte CSI on some terminals),
    /// bidirectional controls (U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C), and the line and
    /// paragraph separators.
    static func needsEscape(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        let v = scalar.value
        switch v {
        case 0x0A, 0x09: return !multiline
        case 0x00..<0x20, 0x7F, 0x80...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
