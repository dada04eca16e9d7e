import EvolveArchive
import Foundation

/// Escaping and number formatting shared by every SVG and HTML piece of the report.
public enum Markup {
    /// Escapes text for HTML and SVG content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" && ch != "\r" {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }

    /// A coordinate with at most one decimal, so pictures stay small.
    static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }

    /// A score as a person reads it: `0.850`, or `–` when there is none.
    public static func score(_ value: Double?) -> String {
        value.map { String(format: "%.3f", $0) } ?? "–"
    }

    /// Dollars with enough digits for small amounts.
    public static func dollars(_ value: Double) -> String {
        value >= 100
            ? String(format: "$%.0f", value)
            : value >= 1
                ? String(format: "$%.2f", value)
                : String(format: "$%.4f", value)
    }

    /// `1234567` → `1.2M`.
    public static func compact(_ value: Double) -> String {
        let a = abs(value)
        if a >= 1e9 { return String(format: "%.1fG", value / 1e9) }
        if a >= 1e6 { return String(format: "%.1fM", value / 1e6) }
        if a >= 1e4 { return String(format: "%.0fk", value / 1e3) }
        if a >= 1e3 { return String(format: "%.1fk", value / 1e3) }
        return value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// The fill for a score: red → yellow → green (`Lineage.heatColor`), grey when there is none.
    public static func scoreColor(_ score: Double?) -> String {
        score.map(Lineage.heatColor) ?? "#e5e7eb"
    }

    /// The fill of a heat-map cell.
    static func outcomeColor(_ status: OutcomeStatus?) -> String {
        switch status {
        case .passed?: return "#4caf50"
        case .failed?: return "#e5534b"
        case .timeout?: return "#f0a030"
        case .memory?, .outputCap?: return "#b07cd8"
        case .crashed?: return "#8d6e63"
        case nil: return "#f1f3f5"
        }
    }

    /// The variant's diff as HTML lines, additions green and removals red; cut after `maxLines`.
    public static func diffHTML(_ diff: String, maxLines: Int) -> String {
        if diff.isEmpty { return "<pre class=\"diff\"><span class=\"dm\">(no change)</span></pre>" }
        var lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        var out = "<pre class=\"diff\">"
        for line in lines.prefix(maxLines) {
            let text = escape(String(line))
            if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("diff ") || line.hasPrefix("index ") {
                out += "<span class=\"dh\">\(text)</span>\n"
            } else if line.hasPrefix("@@") {
                out += "<span class=\"du\">\(text)</span>\n"
            } else if line.hasPrefix("+") {
                out += "<span class=\"da\">\(text)</span>\n"
            } else if line.hasPrefix("-") {
                out += "<span class=\"dr\">\(text)</span>\n"
            } else {
                out += text + "\n"
            }
        }
        if lines.count > maxLines {
            out += "<span class=\"dm\">… \(lines.count - maxLines) more lines (see `evolve show`)</span>\n"
        }
        return out + "</pre>"
    }
}
