import Foundation

/// What the standard streams are connected to, for choosing live progress lines or plain lines.
public enum Terminal {
    /// Whether standard error is a terminal (progress goes there).
    public static var stderrIsTTY: Bool { isatty(2) == 1 }
    /// Whether standard output is a terminal.
    public static var stdoutIsTTY: Bool { isatty(1) == 1 }

    /// Writes a line to standard error.
    public static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// ANSI styling, only when the stream is a terminal and NO_COLOR is unset.
    public static func style(_ text: String, _ code: String, tty: Bool = stdoutIsTTY) -> String {
        guard tty, ProcessInfo.processInfo.environment["NO_COLOR"] == nil else { return text }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
