import EvolveSupport
import Foundation

/// The plain-text table of variants that `list`, `status` and the end of a search print.
public enum VariantTable {
    public static func render(_ variants: [Variant], color: Bool = false) -> String {
        var out =
            pad("id", 7) + pad("score", 7) + pad("gen", 5) + pad("operator", 11) + pad("status", 9)
            + pad("parents", 11) + "summary\n"
        for v in variants {
            let score = v.score.map { String(format: "%.3f", $0) } ?? "–"
            var line =
                pad(v.id.description, 7) + pad(score, 7) + pad(String(v.generation), 5)
                + pad(DisplayText.escaped(v.operator), 11) + pad(v.status.rawValue, 9)
                + pad(v.parents.map(\.description).joined(separator: ","), 11)
            let note = v.status == .invalid ? (v.reason ?? v.summary) : v.summary
            // A child's summary or reason is its own text: escaped, never interpreted by the terminal.
            line += DisplayText.escaped(String(note.replacingOccurrences(of: "\n", with: " ").prefix(72)))
            if color && v.status == .invalid { line = "\u{1B}[2m\(line)\u{1B}[0m" }
            out += line + "\n"
        }
        return out
    }

    public static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
