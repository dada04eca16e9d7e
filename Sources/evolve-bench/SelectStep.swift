import EvolveArchive
import EvolveEvaluation
import EvolveSearch
import EvolveSupport
import Foundation

// MARK: - select-step

/// Times one selection step of the search on an archive made by `make-archive --tasks K`: what
/// `SearchService.planGeneration` does before a generation, `Candidates.build` (the selectors' view of
/// the archive) then `selector.select` for a generation's parents. Prints one line per selector with the
/// median of `runs` steps, each on a freshly opened archive (as a new `evolve search` process would).
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
        var candidateCount = 0
        for run in 0..<runs {
            let archive = try Archive.open(at: path)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let candidates = try Candidates.build(archive: archive, suites: [suite], codeSize: selector.needsCodeSize)
            let t1 = DispatchTime.now().uptimeNanoseconds
            var rng = SeededGenerator(seed: UInt64(run), 1, 1)
            let parents = selector.select(candidates, count: children, rng: &rng)
            let t2 = DispatchTime.now().uptimeNanoseconds
            precondition(parents.count == children)
            candidateCount = candidates.count
            build.append(Double(t1 - t0) / 1e6)
            select.append(Double(t2 - t1) / 1e6)
        }
        let b = median(build)
        let s = median(select)
        print(
            String(
                format: "select-step %@ variants=%d candidates=%d build_ms=%.1f select_ms=%.1f total_ms=%.1f", name,
                variants, candidateCount, b, s, median(zip(build, select).map { $0 + $1 })))
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
