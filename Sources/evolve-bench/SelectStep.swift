import EvolveArchive
import EvolveEvaluation
import EvolveSearch
import EvolveSupport
import EvolveTasks
import Foundation

// MARK: - select-step

/// Times the selection of the search on an archive made by `make-archive --tasks K`: the start-up (a
/// `CandidatePool` reads the archive once, as a new `evolve search` process does), then one selection
/// step as `SearchService.planGeneration` makes it after start-up (a child recorded and its outcomes
/// arrived, then a generation's parents: from the pool's `SelectionIndex` where the selector has one, else
/// `selector.select` on the pool's candidates). Prints one line per selector with the medians of `runs`
/// (each on a freshly opened archive), and the step as it was before the pool (`Candidates.build` from the
/// archive every generation, which must give the pool's candidates, then the selector's draw on that list).
func selectStep(path: String, selectors: [String], children: Int, runs: Int) throws {
    let probe = try Archive.open(at: path)
    let tasks = Set(try probe.passMatrix(suite: benchSuiteName).values.flatMap(\.keys)).sorted()
    guard !tasks.isEmpty else {
        throw EvolveError(
            .invalidInput, "the archive \(path) has no outcomes on the suite '\(benchSuiteName)'",
            hint: "make it with `evolve-bench make-archive N DIR --tasks 10`")
    }
    let suite = Suite(
        name: benchSuiteName, directory: path, check: "true", timeoutSeconds: 1, checkTimeoutSeconds: 1,
        stages: [],
        tasks: tasks.map {
            SuiteTask(
                id: $0, directory: path, promptPath: "", workspacePath: nil, testsPath: nil, check: "true",
                timeoutSeconds: 1, checkTimeoutSeconds: 1)
        })
    let variants = try probe.variantCount()
    for name in selectors {
        let selector = try makeSelector(name: name, k: 5, beta: 1.0)
        var build: [Double] = []
        var select: [Double] = []
        var rebuild: [Double] = []
        var candidateCount = 0
        for run in 0..<runs {
            let archive = try Archive.open(at: path)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let pool = CandidatePool(
                archive: archive, suites: [suite], codeSize: selector.needsCodeSize, selector: selector)
            _ = try pool.count()
            let t1 = DispatchTime.now().uptimeNanoseconds
            // The step: the pool takes the news of the last generation (an evaluated variant's outcomes,
            // re-read from the archive), then the selector draws a generation's parents.
            try pool.outcomesArrived(try archive.variant(VariantID(variants - 1)))
            var rng = SeededGenerator(seed: UInt64(run), 1, 1)
            let parents =
                try pool.select(count: children, rng: &rng)
                ?? selector.select(try pool.candidates(), count: children, rng: &rng)
            let t2 = DispatchTime.now().uptimeNanoseconds
            // The step as it was before the pool: the candidates rebuilt from the archive, then the draw.
            let rebuilt = try Candidates.build(archive: archive, suites: [suite], codeSize: selector.needsCodeSize)
            var again = SeededGenerator(seed: UInt64(run), 1, 1)
            precondition(selector.select(rebuilt, count: children, rng: &again).count == children)
            rebuild.append(Double(DispatchTime.now().uptimeNanoseconds - t2) / 1e6)
            precondition(parents.count == children)
            let kept = try pool.candidates()
            precondition(kept == rebuilt, "the pool's candidates differ from the archive's")
            candidateCount = rebuilt.count
            build.append(Double(t1 - t0) / 1e6)
            select.append(Double(t2 - t1) / 1e6)
        }
        let b = median(build)
        let s = median(select)
        print(
            String(
                format: "select-step %@ variants=%d candidates=%d startup_ms=%.1f step_ms=%.1f rebuild_step_ms=%.1f",
                name,
                variants, candidateCount, b, s, median(rebuild)))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
