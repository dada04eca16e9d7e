import EvolveArchive
import EvolveSupport
import Foundation

/// One variant as the report's side panel shows it after a click: metadata, per-task outcomes (with logs
/// when loaded), its diff against its parent, and the meta-agent's transcripts.
public struct VariantDetail: Sendable {
    /// One LLM call and its transcript text.
    public struct Call: Sendable {
        public var record: LLMCallRow
        public var transcript: String
    }

    public var variant: Variant
    /// First attempts; `log` is empty when logs were not loaded.
    public var outcomes: [TaskOutcome]
    /// Nil when not loaded (the static report carries diffs of its top variants only).
    public var diff: String?
    public var calls: [Call]

    public init(variant: Variant, outcomes: [TaskOutcome] = [], diff: String? = nil, calls: [Call] = []) {
        self.variant = variant
        self.outcomes = outcomes
        self.diff = diff
        self.calls = calls
    }

    /// Everything about one variant, logs and transcripts included; reads only.
    public static func load(from archive: Archive, id: VariantID) throws -> VariantDetail {
        let v = try archive.variant(id)
        let outcomes = try archive.evaluatedSuites(tree: v.tree).flatMap {
            try archive.outcomes(tree: v.tree, suite: $0)
        }
        let diff = (try? archive.diff(v.id)) ?? "(the diff could not be read)"
        let calls = try archive.llmCalls(variant: id).map { Call(record: $0, transcript: archive.transcript(of: $0)) }
        return VariantDetail(variant: v, outcomes: outcomes, diff: diff, calls: calls)
    }

    // MARK: - HTML

    /// The panel's contents as an HTML fragment (everything escaped).
    public func html(maxDiffLines: Int = 400, liveHint: Bool = false) -> String {
        let v = variant
        var s = "<div class=\"detail\" data-id=\"\(v.id)\">"
        s +=
            "<h3><span class=\"swatch\" style=\"background:\(v.status == .invalid ? "#9ca3af" : Markup.scoreColor(v.score))\"></span>"
            + "\(v.id) <span class=\"muted\">score \(Markup.score(v.score))</span></h3>"
        if !v.summary.isEmpty { s += "<p class=\"summary\">\(Markup.escape(v.summary))</p>" }
        var rows: [(String, String)] = [
            ("status", v.status.rawValue + (v.reason.map { " — \($0)" } ?? "")),
            ("generation", String(v.generation)),
            ("operator", v.operator),
            ("parents", v.parents.isEmpty ? "none (the seed)" : v.parents.map(\.description).joined(separator: ", ")),
            ("commit", v.commit),
            ("tree", v.tree),
            ("cost", Markup.dollars(v.costUSD)),
            ("created", Self.date(v.createdAt)),
        ]
        if let model = v.model { rows.insert(("model", model), at: 3) }
        if let run = v.run { rows.append(("run", run)) }
        s += "<table class=\"meta\">"
        for (key, value) in rows {
            let cls = key == "commit" || key == "tree" ? " class=\"mono\"" : ""
            s += "<tr><th>\(key)</th><td\(cls)>\(Markup.escape(value))</td></tr>"
        }
        s += "</table>"
        s += outcomesHTML()
        s += "<h4>Diff \(v.parents.first.map { "against \($0)" } ?? "(the seed's files)")</h4>"
        if let diff {
            s += Markup.diffHTML(diff, maxLines: maxDiffLines)
        } else {
            s +=
                "<p class=\"muted\">This file keeps the diffs of the best variants only: run <code>evolve show "
                + "\(v.id)</code>, or <code>evolve serve</code> to click through every variant.</p>"
        }
        if !calls.isEmpty {
            s += "<h4>LLM calls (\(calls.count))</h4>"
            for call in calls {
                let r = call.record
                s +=
                    "<details class=\"call\"><summary>\(Markup.escape(r.purpose)) · \(Markup.escape(r.model)) · "
                    + "\(r.tokensIn) in / \(r.tokensOut) out · \(Markup.dollars(r.costUSD))"
                    + (r.taskKey.map { " · \(Markup.escape($0))" } ?? "") + "</summary>"
                    + "<pre class=\"log\">\(Markup.escape(String(call.transcript.prefix(60_000))))</pre></details>"
            }
        } else if liveHint {
            s += "<h4>LLM calls</h4><p class=\"muted\">No LLM calls are recorded for \(v.id).</p>"
        }
        return s + "</div>"
    }

    private func outcomesHTML() -> String {
        let firsts = outcomes.filter { $0.attempt == 0 }
        guard !firsts.isEmpty else { return "<h4>Outcomes</h4><p class=\"muted\">Not evaluated yet.</p>" }
        var s = ""
        for suite in Array(Set(firsts.map(\.suite))).sorted() {
            let rows = firsts.filter { $0.suite == suite }
            let passed = rows.filter { $0.status.isPass }.count
            s += "<h4>Outcomes on \(Markup.escape(suite)): \(passed)/\(rows.count) passed</h4><div class=\"outcomes\">"
            for o in rows {
                let mark = o.status.isPass ? "✓" : "✗"
                var head =
                    "<span class=\"o-\(o.status.isPass ? "pass" : "fail")\">\(mark)</span> "
                    + "\(Markup.escape(o.task)) <span class=\"muted\">\(o.status.rawValue)"
                if o.durationSeconds > 0 { head += String(format: " · %.1f s", o.durationSeconds) }
                if let v = o.verdicts {
                    head += " · \(v.passed)/\(v.total) tests"
                    if v.forgeable { head += " · <b title=\"judged by the check's exit status\">forgeable verdict</b>" }
                }
                if let detail = o.detail { head += " · \(Markup.escape(detail))" }
                head += "</span>" + Self.metricsHTML(o.verdicts)
                if o.log.isEmpty {
                    s += "<div class=\"outcome\">\(head)</div>"
                } else {
                    s +=
                        "<details class=\"outcome\"><summary>\(head)</summary><pre class=\"log\">"
                        + "\(Markup.escape(String(o.log.suffix(40_000))))</pre></details>"
                }
            }
            s += "</div>"
        }
        return s
    }

    /// The numbers and texts a check reported (`results: {metrics: FILE}`), escaped: both are the check's
    /// output about code the search does not trust.
    static func metricsHTML(_ verdicts: TaskVerdicts?) -> String {
        guard let v = verdicts, !v.metrics.isEmpty || !(v.artifacts ?? [:]).isEmpty else { return "" }
        var s = "<span class=\"metrics\">"
        let numbers = v.metrics.sorted { $0.key < $1.key }.map { "\($0.key) = \(ObjectiveCharts.value($0.value))" }
        if !numbers.isEmpty { s += "<span class=\"mono\">\(Markup.escape(numbers.joined(separator: " · ")))</span>" }
        for (name, text) in (v.artifacts ?? [:]).sorted(by: { $0.key < $1.key }) {
            s +=
                "<span class=\"artifact\"><b>\(Markup.escape(name))</b>: "
                + "\(Markup.escape(String(text.prefix(2000))))</span>"
        }
        return s + "</span>"
    }

    static func date(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    // MARK: - JSON

    /// `{"variant": {...}, "outcomes": [...with logs], "diff": "...", "llm_calls": [...with transcripts]}`.
    public func json() -> String {
        var w = JSONWriter(capacity: 4096 + (diff?.utf8.count ?? 0))
        w.beginObject()
        w.key("variant")
        variant.writeJSON(into: &w)
        w.key("outcomes")
        w.beginArray()
        for o in outcomes { o.writeJSON(into: &w, log: true) }
        w.endArray()
        w.field("diff", diff)
        w.key("llm_calls")
        w.beginArray()
        for call in calls {
            let r = call.record
            w.beginObject()
            w.field("id", r.id)
            w.field("purpose", r.purpose)
            w.field("model", r.model)
            w.field("task", r.taskKey)
            w.field("tokens_in", r.tokensIn)
            w.field("tokens_out", r.tokensOut)
            w.field("latency_s", r.latencySeconds)
            w.field("cost_usd", r.costUSD)
            w.field("transcript", call.transcript)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output
    }
}
