import ArgumentParser
import EvolveApp
import EvolveArchive
import EvolveSearch
import EvolveSupport
import Foundation

extension EvolveCommand {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the open-ended search: select parents, make children, evaluate them, repeat.",
            discussion: """
                Reads configs/default.yaml (here, else in the evolve folder it was built in) unless --config says \
                otherwise; flags override the file. A new archive is created from the config's seed when none \
                exists. Kill it at any moment (even kill -9): \
                `evolve search --resume` finishes the generations asked for without redoing or losing anything. \
                One search writes an archive at a time: a second one is refused, naming the first one's pid.
                """)

        @OptionGroup var options: ArchiveOptions
        @Option(name: .long, help: ArgumentHelp("The run configuration.", valueName: "FILE")) var config: String?
        @Option(name: .long, help: "Generations to run.") var generations: Int?
        @Option(name: .long, help: "Children per generation.") var children: Int?
        @Option(name: .long, help: "Sandboxes at once (tasks evaluated in parallel).") var workers: Int?
        @Option(name: .long, help: "Model calls at once: children being made in parallel (default: --workers).")
        var proposals: Int?
        @Option(
            name: .long,
            help:
                "Children made but not yet evaluated, at most: how far proposals may run ahead (default: proposals + workers)."
        )
        var maxPending: Int?
        @Option(
            name: .long,
            help: ArgumentHelp(
                "pipeline (the default: no generation barrier) or lockstep (each generation made, then evaluated).",
                valueName: "pipeline|lockstep"))
        var scheduler: SchedulerKind?
        @Flag(
            name: .long,
            help:
                "Reproducible pipeline: the same seed gives the same archive (parents from a fixed view, children recorded in order)."
        )
        var deterministic = false
        @Option(name: .long, help: "Random seed: the same seed and config make the same choices.") var seed: UInt64?
        @Option(name: .long, help: "Parent selector: greedy (the default), hgm, novelty, dgm, random or map-elites.")
        var selector: String?
        @Option(name: .customLong("budget-usd"), help: "Stop when the run has spent this much (USD).") var budgetUSD:
            Double?
        @Option(name: .long, help: "Stop after this many task evaluations.") var maxEvaluations: Int?
        @Option(name: .long, help: "Stop once a variant scores at least this (0–1).") var targetScore: Double?
        @Option(name: .long, help: "Stop after this many generations without a better best score.") var patience: Int?
        @Flag(
            name: .long,
            help: """
                Continue the archive's last run where it stopped. Append it to the original command: the config \
                and flags must match the saved run (only --generations, --workers, --proposals, budgets and stopping rules \
                may change).
                """)
        var resume = false

        func validate() throws {
            if let generations, generations < 1 { throw ValidationError("--generations must be at least 1") }
            if let children, children < 1 { throw ValidationError("--children must be at least 1") }
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
            if let proposals, proposals < 1 { throw ValidationError("--proposals must be at least 1") }
            if let maxPending, maxPending < 1 { throw ValidationError("--max-pending must be at least 1") }
            if let budgetUSD, budgetUSD <= 0 { throw ValidationError("--budget-usd must be more than 0") }
            if let maxEvaluations, maxEvaluations < 1 { throw ValidationError("--max-evaluations must be at least 1") }
            if let targetScore, !(targetScore > 0 && targetScore <= 1) {
                throw ValidationError(
                    "--target-score must be above 0 and at most 1 (a score is the fraction of tasks passed)")
            }
            if let patience, patience < 1 { throw ValidationError("--patience must be at least 1 generation") }
        }

        func run() async throws {
            let observer = TerminalProgress()
            let request = SearchRequest(
                configPath: config,
                archivePath: options.archive ?? ProcessInfo.processInfo.environment["EVOLVE_ARCHIVE"],
                generations: generations, children: children, workers: workers, randomSeed: seed, selector: selector,
                proposals: proposals, maxPending: maxPending, scheduler: scheduler,
                deterministic: deterministic ? true : nil, resume: resume,
                limits: SearchLimits(
                    budgetUSD: budgetUSD, maxEvaluations: maxEvaluations, targetScore: targetScore,
                    patience: patience))
            let prepared = try await SearchSetup.prepare(request, observer: observer)
            defer { prepared.environment.stop() }
            if prepared.createdArchive {
                Terminal.note(
                    "Created the archive \(prepared.service.archive.path) with the seed \(prepared.config.seed) as v0")
            }
            let task = Task { try await prepared.service.run(runID: prepared.runID, resumed: prepared.resumed) }
            let interrupts = InterruptHandler(note: observer.note) { task.cancel() }
            defer { interrupts.stop() }
            let outcome = try await task.value
            emit(
                FinalReport.render(
                    outcome, archiveFlag: options.archive,
                    color: Terminal.stdoutIsTTY))
            if case .interrupted = outcome.ending { throw ExitCode(130) }
        }
    }
}

/// The table printed when a search ends, and what to do next.
enum FinalReport {
    static func render(_ outcome: SearchOutcome, archiveFlag: String?, color: Bool) -> String {
        let flag = archiveFlag.map { " --archive \($0)" } ?? ""
        var out = "\n"
        switch outcome.ending {
        case .finished: out += "Run \(outcome.run) finished"
        case .interrupted: out += "Run \(outcome.run) stopped"
        case .budget(let why), .done(let why): out += "Run \(outcome.run) stopped: \(why)"
        }
        out += String(
            format: " after %.0f s · %d task evaluations · cost $%.4f\n\n", outcome.seconds, outcome.evaluations,
            outcome.cost)
        if outcome.best.isEmpty {
            out += "No variant has been evaluated yet.\n"
        } else {
            out += "Best variants:\n" + VariantTable.render(outcome.best, color: color)
            let best = outcome.best[0]
            out += "\nCheck out the best one:  evolve checkout \(best.id)\(flag) --into best-agent\n"
            out += "See its family:          evolve lineage \(best.id)\(flag)\n"
        }
        switch outcome.ending {
        case .interrupted, .budget:
            out += "Resume with:             evolve search --resume\(flag)\n"
        case .finished, .done: break
        }
        return out
    }
}

extension SchedulerKind: ExpressibleByArgument {}
