/// A small streaming JSON writer: stable key order (as written), no intermediate objects, fast enough
/// to print 100,000 variants. Used for every `--json` output.
public struct JSONWriter {
    public private(set) var output: String = ""
    private var needsComma: [Bool] = [false]

    public init(capacity: Int = 4096) { output.reserveCapacity(capacity) }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { output.append(",") }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() {
        separate()
        output.append("{")
        needsComma.append(false)
    }
    public mutating func endObject() {
        needsComma.removeLast()
        output.append("}")
    }
    public mutating func beginArray() {
        separate()
        output.append("[")
        needsComma.append(false)
    }
    public mutating func endArray() {
        needsComma.removeLast()
        output.append("]")
    }

    /// Writes `"key":` inside an object; the next value call writes its value.
    public mutating func key(_ name: String) {
        separate()
        JSONWriter.appendQuoted(name, to: &output)
        output.append(":")
        needsComma[needsComma.count - 1] = false
    }

    public mutating func value(_ text: String?) {
        separate()
        if let text { JSONWriter.appendQuoted(text, to: &output) } else { output.append("null") }
    }

    public mutating func value(_ number: Int?) {
        separate()
        output.append(number.map(String.init) ?? "null")
    }

    public mutating func value(_ number: Double?) {
        separate()
        guard let number, number.isFinite else {
            output.append("null")
            return
        }
        if number == number.rounded(), abs(number) < 1e15 {
            output.append(String(Int64(number)))
        } else {
            output.append(String(number))
        }
    }

    public mutating func value(_ flag: Bool) {
        separate()
        output.append(flag ? "true" : "false")
    }

    /// Inserts already-encoded JSON as one value.
    public mutating func raw(_ json: String) {
        separate()
        output.append(json)
    }

    public mutating func field(_ name: String, _ text: String?) {
        key(name)
        value(text)
    }
    public mutating func field(_ name: String, _ number: Int?) {
        key(name)
        value(number)
    }
    public mutating func field(_ name: String, _ number: Double?) {
        key(name)
        value(number)
    }
    public mutating func field(_ name: String, _ flag: Bool) {
        key(name)
        value(flag)
    }
    public mutating func field(_ name: String, strings: [String]) {
        key(name)
        beginArray()
        for s in strings { value(s) }
        endArray()
    }

    /// Appends `text` as a JSON string literal with the escapes RFC 8259 requires, and `\uXXXX` for DEL,
    /// the C1 controls (U+0080–U+009F; U+009B is a CSI on some terminals), bidirectional controls and the
    /// line separators: JSON printed on a terminal never carries a control sequence from a child's text,
    /// and parses back to the exact text.
    public static func appendQuoted(_ text: String, to output: inout String) {
        output.append("\"")
        var plain = true
        // 0x7F is DEL; 0xC2, 0xD8 and 0xE2 lead the UTF-8 of C1 controls, U+061C and U+200E–U+2069.
        for unit in text.utf8
        where unit < 0x20 || unit == 0x22 || unit == 0x5C || unit == 0x7F || unit == 0xC2 || unit == 0xD8
            || unit == 0xE2
        {
            plain = false
            break
        }
        if plain {
            output.append(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output.append("\\\"")
                case "\\": output.append("\\\\")
                case "\n": output.append("\\n")
                case "\r": output.append("\\r")
                case "\t": output.append("\\t")
                case let s where s.value < 0x20 || Self.isInvisibleControl(s.value):
                    let hex = String(s.value, radix: 16)
                    output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: output.unicodeScalars.append(scalar)
                }
            }
        }
        output.append("\"")
    }

    /// DEL, C1 controls, bidirectional controls and the line and paragraph separators.
    static func isInvisibleControl(_ value: UInt32) -> Bool {
        switch value {
        case 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
