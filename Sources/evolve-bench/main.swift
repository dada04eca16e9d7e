import EvolveSupport
import Foundation

// evolve-bench: generators and probes for the benchmark scripts in scripts/ (not part of the user's command line).
//
//   evolve-bench make-archive N DIR [--tasks K]
//       an archive of N variants (a seed and N-1 children in a realistic tree: parents drawn from the recent
//       past, one file changed each); with --tasks K, K per-task outcomes per valid variant (suite "bench")
//   evolve-bench select-step DIR [--selectors a,b] [--children C] [--runs R]
//       start-up (a CandidatePool reads the archive) and one selection step after it (pool update + the
//       pool's indexed draw, or selector.select on its candidates) on an archive made with --tasks
//   evolve-bench landscape [--seeds S] [--selectors a,b] [--shapes a,b] [--max-evaluations M] [--batch B]
//                          [--best-after N]
//       evaluations to reach a target score on simulated landscapes of several shapes, per selector, and a
//       table ranking the selectors across shapes (Landscape.swift, LandscapeTable.swift)
//   evolve-bench stub-llm PORT [--delay S] --answer FILE [--latency MEDIAN:P95 --task-seconds LO:HI --seed S]
//       an OpenAI-compatible stub model on 127.0.0.1:PORT (0 = any free port) answering FILE, {N} = call number;
//       with --latency, each call waits a seeded log-normal time and {SLEEP} is a seeded task duration
//   evolve-bench sandbox-start [--runs R]
//       start-up of one sandboxed step against a bare process and bubblewrap alone (SandboxStart.swift)

let usage = """
    usage: evolve-bench make-archive N DIR [--tasks K]
           evolve-bench select-step DIR [--selectors dgm,hgm,...] [--children C] [--runs R]
           evolve-bench landscape [--seeds S] [--selectors hgm,islands:hgm,map-elites,...]
                                  [--shapes hgm,deceptive,needle,multi-objective] [--max-evaluations M]
                                  [--batch B] [--best-after N]
           evolve-bench stub-llm PORT [--delay SECONDS] --answer FILE
                                 [--latency MEDIAN:P95 --task-seconds LO:HI --seed S]
           evolve-bench sandbox-start [--runs R]

    """

struct UsageError: Error {}

/// Positional arguments and `--name value` options of one subcommand.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]

    init(_ words: ArraySlice<String>, allowed: Set<String>) throws {
        var rest = words[...]
        while let word = rest.popFirst() {
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                guard allowed.contains(name), let value = rest.popFirst() else { throw UsageError() }
                options[name] = value
            } else {
                positional.append(word)
            }
        }
    }

    func int(_ name: String, _ fallback: Int) throws -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text), value >= 0 else { throw UsageError() }
        return value
    }

    func list(_ name: String, _ fallback: [String]) -> [String] {
        options[name].map { $0.split(separator: ",").map(String.init) } ?? fallback
    }
}

let words = CommandLine.arguments.dropFirst()
let allSelectors = ["dgm", "novelty", "hgm", "greedy", "random", "map-elites"]
do {
    switch words.first {
    case "make-archive":
        let a = try Arguments(words.dropFirst(), allowed: ["tasks"])
        guard a.positional.count == 2, let n = Int(a.positional[0]), n >= 1 else { throw UsageError() }
        try makeArchive(count: n, at: a.positional[1], tasks: try a.int("tasks", 0))
    case "select-step":
        let a = try Arguments(words.dropFirst(), allowed: ["selectors", "children", "runs"])
        guard a.positional.count == 1 else { throw UsageError() }
        try selectStep(
            path: a.positional[0], selectors: a.list("selectors", allSelectors),
            children: max(1, try a.int("children", 2)), runs: max(1, try a.int("runs", 3)))
    case "landscape":
        let a = try Arguments(
            words.dropFirst(),
            allowed: [
                "seeds", "selectors", "shapes", "max-evaluations", "batch", "promise", "promise-noise", "best-after",
            ])
        guard a.positional.isEmpty else { throw UsageError() }
        var landscape = Landscape()
        if let p = a.options["promise"] { landscape.rootPromise = Double(p) ?? landscape.rootPromise }
        if let p = a.options["promise-noise"] { landscape.promiseNoise = Double(p) ?? landscape.promiseNoise }
        landscape.maxEvaluations = max(1, try a.int("max-evaluations", landscape.maxEvaluations))
        landscape.batch = max(1, try a.int("batch", landscape.batch))
        landscape.bestAfter = max(1, try a.int("best-after", landscape.bestAfter))
        let shapes = try a.list("shapes", Landscape.Shape.allCases.map(\.rawValue)).map { name in
            guard let shape = Landscape.Shape(rawValue: name) else { throw UsageError() }
            return shape
        }
        try runLandscapes(
            landscape, shapes: shapes, selectors: a.list("selectors", landscapeSelectors),
            seeds: max(1, try a.int("seeds", 30)))
    case "stub-llm":
        let a = try Arguments(words.dropFirst(), allowed: ["delay", "answer", "latency", "task-seconds", "seed"])
        guard a.positional.count == 1, let port = UInt16(a.positional[0]), let answer = a.options["answer"],
            let delay = Double(a.options["delay"] ?? "0"), delay >= 0
        else { throw UsageError() }
        func pair(_ name: String, _ fallback: String) throws -> (Double, Double) {
            let parts = (a.options[name] ?? fallback).split(separator: ":").compactMap { Double($0) }
            guard parts.count == 2, parts[0] > 0, parts[1] >= parts[0] else { throw UsageError() }
            return (parts[0], parts[1])
        }
        var realistic: RealisticDraws?
        if a.options["latency"] != nil {
            let (median, p95) = try pair("latency", "4:30")
            let (low, high) = try pair("task-seconds", "0.5:20")
            realistic = RealisticDraws(
                seed: UInt64(try a.int("seed", 7)), median: median, p95: p95, taskSeconds: low...high)
        }
        try serveStubModel(port: port, delay: delay, answerFile: answer, realistic: realistic)
    case "sandbox-start":
        let a = try Arguments(words.dropFirst(), allowed: ["runs"])
        guard a.positional.isEmpty else { throw UsageError() }
        try await sandboxStart(runs: max(1, try a.int("runs", 200)))
    default:
        throw UsageError()
    }
} catch is UsageError {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
} catch {
    FileHandle.standardError.write(Data("evolve-bench: \(error)\n".utf8))
    exit(1)
}
