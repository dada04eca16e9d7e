import EvolveSupport
import Foundation

/// The family of a variant: the path from the root to it (first parents) and the subtree below it
/// (every descendant, through any parent).
public struct Lineage: Sendable {
    /// Ids from the root to the variant, inclusive.
    public var path: [VariantID]
    /// The variant itself.
    public var target: VariantID
    /// Every variant on the path or in the subtree, by id.
    public var nodes: [VariantID: Variant]
    /// Children of each node within the subtree, in id order.
    public var children: [VariantID: [VariantID]]

    /// Nodes in id order.
    public var orderedNodes: [Variant] { nodes.values.sorted { $0.id < $1.id } }
}

extension Archive {
    /// The lineage of a variant, with two recursive queries on the index (no full scan). With `levels`,
    /// the subtree is read only that many levels below the variant (a text view cut at depth d needs
    /// d + 1: the level cut off is counted, not shown).
    public func lineage(of id: VariantID, levels: Int? = nil) throws -> Lineage {
        _ = try variant(id)
        return try locked {
            let up = try db.rows(
                """
                WITH RECURSIVE up(n, depth) AS (
                    SELECT ?, 0
                    UNION
                    SELECT vp.parent, up.depth + 1 FROM variant_parents vp JOIN up ON vp.child = up.n
                    WHERE vp.position = 0)
                SELECT n FROM up ORDER BY depth DESC
                """, [id.number]
            ) { VariantID($0.int(0)) }
            var down = """
                WITH RECURSIVE down(n) AS (
                    SELECT ?
                    UNION
                    SELECT vp.child FROM variant_parents vp JOIN down ON vp.parent = down.n)
                """
            if let levels {
                down = """
                    WITH RECURSIVE below(n, depth) AS (
                        SELECT ?, 0
                        UNION
                        SELECT vp.child, below.depth + 1 FROM variant_parents vp JOIN below ON vp.parent = below.n
                        WHERE below.depth < \(max(0, levels))),
                    down(n) AS (SELECT DISTINCT n FROM below)
                    """
            }
            var nodes: [VariantID: Variant] = [:]
            try db.query(
                "\(down) SELECT \(Self.variantColumnsWithoutParents) FROM variants WHERE num IN (SELECT n FROM down)",
                [id.number]
            ) {
                let v = Self.variant(from: $0)
                nodes[v.id] = v
            }
            // Parents in one pass (a subquery per row is what makes a 100,000-node tree slow).
            try db.query(
                "\(down) SELECT child, parent FROM variant_parents WHERE child IN (SELECT n FROM down) ORDER BY child, position",
                [id.number]
            ) {
                nodes[VariantID($0.int(0))]?.parents.append(VariantID($0.int(1)))
            }
            var children: [VariantID: [VariantID]] = [:]
            for node in nodes.values.sorted(by: { $0.id < $1.id }) where node.id != id {
                // Place each descendant under its lowest-numbered parent inside the subtree, once.
                if let parent = node.parents.filter({ nodes[$0] != nil }).min() {
                    children[parent, default: []].append(node.id)
                }
            }
            let pathNumbers = up.map(\.number)
            if !pathNumbers.isEmpty {
                let marks = Array(repeating: "?", count: pathNumbers.count).joined(separator: ",")
                try db.query("SELECT \(Self.variantColumns) FROM variants WHERE num IN (\(marks))", pathNumbers) {
                    let v = Self.variant(from: $0)
                    nodes[v.id] = v
                }
            }
            return Lineage(path: up, target: id, nodes: nodes, children: children)
        }
    }
}

// MARK: - Rendering

extension Lineage {
    /// An indented tree a person reads at a glance: the path from the root, then the subtree.
    public func renderText(color: Bool = false, maxDepth: Int? = nil) -> String {
        var lines: [String] = []
        func label(_ v: Variant) -> String {
            let score = v.score.map { String(format: "%.3f", $0) } ?? "  –  "
            // A child's operator, reason and summary are escaped: no control character reaches the terminal.
            var text = "\(v.id)  \(score)  gen \(v.generation)  \(DisplayText.escaped(v.operator))"
            if v.status != .valid {
                text +=
                    "  [\(v.status.rawValue)\(v.reason.map { ": \(DisplayText.escaped(String($0.prefix(60))))" } ?? "")]"
            }
            if v.parents.count > 1 { text += "  (merge of \(v.parents.map(\.description).joined(separator: " + ")))" }
            if !v.summary.isEmpty { text += "  — \(DisplayText.escaped(String(v.summary.prefix(70))))" }
            if color {
                if v.status == .invalid { return "\u{1B}[2m\(text)\u{1B}[0m" }
                if v.id == target { return "\u{1B}[1m\(text)\u{1B}[0m" }
            }
            return text
        }
        // The path above the target, one level deeper per generation.
        for (depth, id) in path.dropLast().enumerated() {
            guard let v = nodes[id] else { continue }
            let prefix = depth == 0 ? "" : String(repeating: "   ", count: depth - 1) + "└─ "
            lines.append(prefix + label(v))
        }
        let baseDepth = path.count - 1
        let basePrefix = baseDepth == 0 ? "" : String(repeating: "   ", count: baseDepth - 1) + "└─ "
        if let v = nodes[target] { lines.append(basePrefix + label(v) + "   ◀") }
        let indent = String(repeating: "   ", count: baseDepth)
        func walk(_ id: VariantID, _ prefix: String, _ depth: Int) {
            let kids = children[id] ?? []
            if let maxDepth, depth >= maxDepth {
                if !kids.isEmpty { lines.append(prefix + "└─ … \(kids.count) more below") }
                return
            }
            for (i, kid) in kids.enumerated() {
                let last = i == kids.count - 1
                guard let v = nodes[kid] else { continue }
                lines.append(prefix + (last ? "└─ " : "├─ ") + label(v))
                walk(kid, prefix + (last ? "   " : "│  "), depth + 1)
            }
        }
        walk(target, indent, 0)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"path": [ids], "nodes": [variants]}`.
    public func renderJSON() -> String {
        var json = JSONWriter(capacity: nodes.count * 300)
        json.beginObject()
        json.field("path", strings: path.map(\.description))
        json.key("nodes")
        json.beginArray()
        for v in orderedNodes { v.writeJSON(into: &json) }
        json.endArray()
        json.endObject()
        return json.output + "\n"
    }

    /// Graphviz: nodes coloured by score, invalid children dashed, the path in bold.
    public func renderDOT() -> String {
        var out =
            "digraph lineage {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
        let onPath = Set(path)
        for v in orderedNodes {
            let score = v.score.map { String(format: "%.3f", $0) } ?? "–"
            let fill = v.score.map(Lineage.heatColor) ?? "#eeeeee"
            var attrs = "label=\"\(v.id)\\n\(score)\\n\(Self.dotEscaped(v.operator))\", fillcolor=\"\(fill)\""
            if v.status == .invalid { attrs += ", style=\"rounded,dashed\", fontcolor=\"#999999\"" }
            if onPath.contains(v.id) || v.id == target { attrs += ", penwidth=2.5" }
            out += "  \"\(v.id)\" [\(attrs)];\n"
        }
        for v in orderedNodes {
            for parent in v.parents where nodes[parent] != nil {
                out += "  \"\(parent)\" -> \"\(v.id)\";\n"
            }
        }
        return out + "}\n"
    }

    /// Text for a quoted DOT string: quotes and backslashes escaped, control characters made visible
    /// (as escapes the reader sees, never bytes a terminal or Graphviz interprets).
    static func dotEscaped(_ text: String) -> String {
        DisplayText.escaped(text).replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// A colour from red (0) through yellow to green (1).
    public static func heatColor(_ score: Double) -> String {
        let s = min(max(score, 0), 1)
        let r = s < 0.5 ? 230 : Int(230 - (s - 0.5) * 2 * 150)
        let g = s < 0.5 ? Int(90 + s * 2 * 140) : 230
        return String(format: "#%02x%02x%02x", r, g, 110)
    }
}

// MARK: - JSON of a variant

extension Variant {
    /// Writes the variant as one JSON object with the fields DESIGN.md fixes (and a few more).
    public func writeJSON(into json: inout JSONWriter) {
        json.beginObject()
        writeFields(into: &json)
        json.endObject()
    }

    /// Writes the variant's fields into an object the caller has begun (and may add to).
    public func writeFields(into json: inout JSONWriter) {
        json.field("id", id.description)
        json.field("commit", commit)
        json.field("tree", tree)
        json.field("parents", strings: parents.map(\.description))
        json.field("generation", generation)
        json.field("status", status.rawValue)
        json.field("reason", reason)
        json.field("operator", self.operator)
        json.field("score", score)
        json.field("summary", summary)
        json.field("model", model)
        json.field("run", run)
        json.field("cost_usd", costUSD)
        json.field("created_at", createdAt)
    }
}

extension TaskOutcome {
    /// Writes the outcome as one JSON object: suite, task, attempt, status, time, detail, test counts, and the
    /// log when `log` is set.
    public func writeJSON(into json: inout JSONWriter, log: Bool = false) {
        json.beginObject()
        json.field("suite", suite)
        json.field("task", task)
        json.field("attempt", attempt)
        json.field("status", status.rawValue)
        json.field("duration_s", durationSeconds)
        json.field("detail", detail)
        json.field("tests_passed", verdicts?.passed)
        json.field("tests_total", verdicts?.total)
        json.field("verdict_source", verdicts?.source)
        if log { json.field("log", self.log) }
        json.endObject()
    }
}
