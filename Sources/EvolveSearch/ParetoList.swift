import EvolveArchive
import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation

/// `evolve list --pareto`: the variants no other beats on both score and cost per task.
public enum ParetoList {
    /// One variant on the front: its score and what its agent spent per task it worked on through the gateway.
    public struct Entry: Sendable {
        public var variant: Variant
        public var score: Double
        /// Mean cost (USD) of the agent's model calls per task it made calls for; 0 when it made none.
        public var costPerTask: Double
    }

    /// The objectives of the front: the score (higher is better) against the cost per task (lower is better).
    public static let objectives = [
        Objective(name: "score", direction: .maximize), Objective(name: "cost_per_task", direction: .minimize),
    ]

    /// The valid, scored variants on the Pareto front of score against cost per task, best score first.
    public static func front(archive: Archive) throws -> [Entry] {
        try front(of: entries(archive: archive))
    }

    /// Every valid, scored variant with its score and cost per task, in id order (what the front is drawn from).
    public static func entries(archive: Archive) throws -> [Entry] {
        var spent: [VariantID: (cost: Double, tasks: Set<String>)] = [:]
        for call in try archive.calls() where call.purpose == "agent" {
            guard let variant = call.variant else { continue }
            spent[variant, default: (0, [])].cost += call.costUSD
            spent[variant, default: (0, [])].tasks.insert(call.taskKey ?? "")
        }
        return try archive.allVariants().compactMap { v -> Entry? in
            guard v.status == .valid, let score = v.score else { return nil }
            let s = spent[v.id]
            let perTask = s.map { $0.tasks.isEmpty ? 0 : $0.cost / Double($0.tasks.count) } ?? 0
            return Entry(variant: v, score: score, costPerTask: perTask)
        }
    }

    /// The members of `entries` on the Pareto front of score against cost per task, best score first.
    public static func front(of entries: [Entry]) throws -> [Entry] {
        let points = entries.map { ["score": $0.score, "cost_per_task": $0.costPerTask] }
        let front = try Objectives.paretoFront(points, objectives)
        return front.map { entries[$0] }.sorted {
            ($0.score, -$0.variant.id.number) > ($1.score, -$1.variant.id.number)
        }
    }

    /// A table for people: id, score, cost per task, generation, summary.
    public static func render(_ entries: [Entry]) -> String {
        func pad(_ s: String, _ n: Int) -> String {
            s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
        }
        var out = pad("id", 7) + pad("score", 7) + pad("$/task", 10) + pad("gen", 5) + "summary\n"
        for e in entries {
            out +=
                pad(e.variant.id.description, 7) + pad(String(format: "%.3f", e.score), 7)
                + pad(String(format: "%.6f", e.costPerTask), 10) + pad(String(e.variant.generation), 5)
                + DisplayText.escaped(String(e.variant.summary.prefix(70))) + "\n"
        }
        return out
            + "\(entries.count) variant\(entries.count == 1 ? "" : "s") on the front of score against cost per task\n"
    }

    /// A JSON array: id, score, cost_per_task_usd, generation, summary.
    public static func renderJSON(_ entries: [Entry]) -> String {
        var w = JSONWriter()
        w.beginArray()
        for e in entries {
            w.beginObject()
            w.field("id", e.variant.id.description)
            w.field("score", e.score)
            w.field("cost_per_task_usd", e.costPerTask)
            w.field("generation", e.variant.generation)
            w.field("summary", e.variant.summary)
            w.endObject()
        }
        w.endArray()
        return w.output + "\n"
    }
}
