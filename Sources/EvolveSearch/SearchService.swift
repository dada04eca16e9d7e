import EvolveArchive
import EvolveEvaluation
import EvolveMutation
import EvolveSupport
import EvolveTasks
import Foundation

/// The open-ended loop: select parents, make children, validate and record them, evaluate them.
///
/// Two schedulers drive it: the steady-state pipeline (`SearchPipeline`, the default) and generations in
/// lockstep (`runLockstep`). Crash-safe by construction, in both:
/// - a child's plan (parents and operator) is saved before its model call;
/// - children are recorded in slot order where ids must not depend on timing (lockstep, deterministic);
/// - each task outcome is recorded the moment it is known, keyed by tree, and never run again;
/// - on `--resume`, planned children not recorded are made, pending ones evaluated, nothing redone.
public final class SearchService: Sendable {
    public let archive: Archive
    public let settings: SearchSettings
    public let suites: [Suite]
    public let evaluation: EvaluationService
    public let operators: [String: any MutationOperator]
    public let selector: any ParentSelector
    public let observer: any SearchObserver
    public let limits: SearchLimits
    /// The selectors' view, read from the archive once per run and updated as children and outcomes arrive.
    let candidatePool: CandidatePool
    /// Objective scores and metric features by candidate, read from the archive once each.
    let objectiveCache = ObjectiveCandidates.Cache()

    public init(
        archive: Archive, settings: SearchSettings, suites: [Suite], evaluation: EvaluationService,
        operators: [String: any MutationOperator], observer: any SearchObserver, limits: SearchLimits
    ) throws {
        self.archive = archive
        self.settings = settings
        self.suites = suites
        self.evaluation = evaluation
        self.operators = operators
        self.observer = observer
        self.limits = limits
        self.selector = try makeSelector(settings.selector)
        self.candidatePool = CandidatePool(
            archive: archive, suites: suites, codeSize: selector.needsCodeSize, selector: selector)
        for op in settings.operators where operators[op.name] == nil {
            throw EvolveError(.config, "the operator '\(op.name)' is configured but was not set up")
        }
    }

    // MARK: - Running

    /// Runs (or resumes) a search until the generations asked for are done, a budget is reached, or the
    /// task is cancelled (Ctrl-C). Returns how it ended.
    public func run(runID: String, resumed: Bool) async throws -> SearchOutcome {
        let started = Date()
        let pid = ProcessInfo.processInfo.processIdentifier
        // A resumed run's status goes on from where it stood, not from generation 0.
        let standing = resumed ? ProgressNote.read(try archive.lastRun()?.progress).generation ?? 0 : 0
        try archive.updateRun(runID, state: .running, progress: progressNote(generation: standing, pid: pid))
        try archive.logEvent(run: runID, kind: resumed ? "resumed" : "started", message: "pid \(pid)")
        observer.event(.runStarted(run: runID, resumed: resumed, generations: settings.generations))
        do {
            try await evaluateSeedIfNeeded(runID)
            switch settings.scheduler {
            case .lockstep: return try await runLockstep(runID, started: started, pid: pid)
            case .pipeline: return try await SearchPipeline(self, runID: runID, started: started, pid: pid).run()
            }
        } catch let error as EvolveError where error.kind == .budget {
            return try stop(runID, .budget(error.message), generation: nil, started: started)
        } catch {
            // Ctrl-C cancels whatever was in flight; a model call or a sandbox step may report that as its
            // own error. Any error after cancellation is the interruption, not a failure.
            if error is CancellationError || Task.isCancelled {
                return try stop(runID, .interrupted, generation: nil, started: started)
            }
            try? archive.updateRun(runID, state: .failed)
            try? archive.logEvent(run: runID, kind: "failed", message: "\(error)")
            throw error
        }
    }

    func stop(_ runID: String, _ ending: SearchOutcome.Ending, generation: Int?, started: Date) throws
        -> SearchOutcome
    {
        let state: RunRecord.State
        switch ending {
        case .finished, .done: state = .finished
        case .interrupted: state = .interrupted
        case .budget: state = .budget
        }
        try archive.updateRun(runID, state: state)
        try archive.logEvent(run: runID, kind: state.rawValue, message: "\(ending)")
        let outcome = SearchOutcome(
            run: runID, ending: ending, best: try archive.bestVariants(limit: 5), cost: try archive.runCost(runID),
            evaluations: try archive.evaluationCount(run: runID), seconds: Date().timeIntervalSince(started))
        observer.event(.stopped(outcome))
        return outcome
    }

    /// The seed (and any other valid variant without outcomes on these suites) is evaluated first.
    private func evaluateSeedIfNeeded(_ runID: String) async throws {
        let seed = try archive.variant(VariantID(0))
        if try needsEvaluation(seed) {
            observer.event(.childEvaluating(generation: 0, slot: 0, variant: seed.id, done: 0, total: taskCount))
            let scored = try await evaluate(seed, generation: 0, slot: 0, runID: runID)
            observer.event(.seedEvaluated(scored))
        }
    }

    var taskCount: Int { suites.reduce(0) { $0 + $1.tasks.count } }

    func needsEvaluation(_ v: Variant) throws -> Bool {
        guard v.status != .invalid else { return false }
        if v.status == .pending || v.score == nil { return true }
        for suite in suites where try archive.outcomes(tree: v.tree, suite: suite.name).isEmpty { return true }
        return false
    }

    // MARK: - Shared by both schedulers

    /// The end of a search that made every child it was asked for.
    func finish(_ runID: String, started: Date) throws -> SearchOutcome {
        try archive.compact()
        if let reason = try goalReached(runID, completed: settings.generations) {
            return try stop(runID, .done(reason), generation: settings.generations, started: started)
        }
        return try stop(runID, .finished, generation: settings.generations, started: started)
    }

    /// The parents a selector may draw from now (with objective scores and metric features applied).
    func parentCandidates() throws -> [Candidate] {
        let candidates = try ObjectiveCandidates.apply(
            try candidatePool.candidates(), archive: archive, suites: suites, cache: objectiveCache)
        guard !candidates.isEmpty else { throw Self.noParent }
        return candidates
    }

    /// The operators' weights for a child drawn from `draw`. An operator of two parents weighs nothing while
    /// there is a single candidate (it could only cross a variant with itself, an invalid child), unless every
    /// operator needs two.
    func operatorWeights(_ draw: ParentDraw) -> [Double] {
        let weights = settings.operators.map(\.weight)
        guard draw.count < 2 else { return weights }
        let single = settings.operators.map { (operators[$0.name]?.arity ?? 1) > 1 ? 0 : $0.weight }
        return single.contains { $0 > 0 } ? single : weights
    }

    /// A child's parents: `first`, then, for an operator of two parents, a second one from the same selector,
    /// else any other candidate (a crossover of a variant with itself is an invalid child).
    func parents(
        first: VariantID, operator name: String, _ draw: ParentDraw, _ context: SelectionContext,
        _ rng: inout SeededGenerator
    ) throws -> [VariantID] {
        var parents = [first]
        guard (operators[name]?.arity ?? 1) > 1 else { return parents }
        for _ in 0..<8 {
            let other = try draw.select(count: 1, context: context, rng: &rng)[0]
            if other != parents[0] || draw.count == 1 {
                parents.append(other)
                break
            }
        }
        if parents.count < 2 {
            // Any other candidate, all alike: the selector kept drawing the first one (greedy always does).
            var other = try draw.anyCandidate(&rng)
            for _ in 0..<32 where other == parents[0] && draw.count > 1 { other = try draw.anyCandidate(&rng) }
            parents.append(other)
        }
        return parents
    }

    /// What an operator made of a planned child, not yet recorded.
    struct MadeChild: Sendable {
        var result: MutationResult
        var parents: [Variant]
    }

    /// Asks the child's operator for it and checks its Python syntax (a process start: done here, where
    /// children are made in parallel, not where they are recorded one by one).
    func makeChild(_ child: PlannedChild, generation: Int, runID: String) async throws -> MadeChild {
        try Task.checkCancellation()
        let parents = try child.parents.map { try archive.variant($0) }
        observer.event(
            .childStarted(generation: generation, slot: child.slot, operator: child.operator, parents: child.parents))
        let request = MutationRequest(
            archive: archive, parents: parents, generation: generation, slot: child.slot,
            seed: SeededGenerator.derive(settings.randomSeed, UInt64(generation), UInt64(child.slot), 7),
            suites: suites.map(\.name), suitesDirectory: settings.suitesDir,
            key: Self.childKey(runID, generation, child.slot))
        var result = try await operators[child.operator]!.mutate(request)
        if settings.syntaxCheck, case .tree(let tree, let info) = result,
            let error = try ChildValidator.syntaxError(archive: archive, tree: tree, parentTree: parents[0].tree)
        {
            result = .invalid(reason: error, info)
        }
        return MadeChild(result: result, parents: parents)
    }

    /// The summary line of a generation whose children are all recorded and settled.
    func generationSummary(_ generation: Int, runID: String, started: Date) throws -> GenerationSummary {
        let children = try archive.children(run: runID, generation: generation).values.sorted { $0.id < $1.id }
        let valid = children.filter { $0.status == .valid }
        let best = try archive.bestVariants(limit: 1).first
        return GenerationSummary(
            generation: generation, generations: settings.generations, valid: valid.count,
            invalid: children.count - valid.count,
            invalidReasons: children.compactMap { $0.status == .invalid ? $0.reason : nil },
            best: best, meanScore: valid.isEmpty ? nil : valid.compactMap(\.score).reduce(0, +) / Double(valid.count),
            cost: try archive.runCost(runID), tokens: try archive.runTokens(runID),
            evaluations: try archive.evaluationCount(run: runID), seconds: Date().timeIntervalSince(started))
    }

    // MARK: - Children

    /// Validates an operator's result and records the child (valid → pending evaluation; otherwise invalid).
    func recordChild(
        _ result: MutationResult, parents: [Variant], plan: PlannedChild, generation: Int,
        runID: String
    ) throws -> Variant {
        let parent = parents[0]
        var metadata = VariantMetadata(
            generation: generation, operator: plan.operator, run: runID, summary: "",
            slot: plan.slot)
        var tree = parent.tree
        switch result {
        case .invalid(let reason, let info):
            apply(info, to: &metadata)
            metadata.status = .invalid
            metadata.reason = reason
        case .tree(let newTree, let info):
            apply(info, to: &metadata)
            if let reason = try ChildValidator(
                archive: archive, protectedPaths: settings.protectedPaths,
                syntaxCheck: false
            )  // checked where the child was made
            .reasonToReject(tree: newTree, parent: parent) {
                metadata.status = .invalid
                metadata.reason = reason
            } else {
                tree = newTree
                metadata.status = .pending
            }
        }
        if metadata.summary.isEmpty { metadata.summary = "\(plan.operator) child of \(parent.id)" }
        let child = try archive.record(parents: parents.map(\.id), tree: tree, metadata: metadata)
        try archive.attachCalls(taskKey: Self.childKey(runID, generation, plan.slot), to: child.id)
        return child
    }

    /// The key under which the calls made for one child are recorded.
    static func childKey(_ run: String, _ generation: Int, _ slot: Int) -> String {
        TaskKey.child(run: run, generation: generation, slot: slot).description
    }

    private func apply(_ info: MutationInfo, to metadata: inout VariantMetadata) {
        metadata.summary = info.summary
        metadata.model = info.model
        metadata.costUSD = info.costUSD
        if let raw = info.rawAnswer, let blob = try? archive.storeBlob(raw) {
            var json = JSONWriter()
            json.beginObject()
            json.field("raw_answer_blob", blob)
            json.endObject()
            metadata.details = json.output
        }
    }

    /// Evaluates a variant on every suite and stores its score: the suites' scores weighted by their task
    /// counts (passed / all tasks of all suites when no suite declares objectives).
    /// The candidate pool hears of the new outcomes unless `updatePool` is false (the deterministic pipeline
    /// feeds the pool itself, in child order).
    func evaluate(_ v: Variant, generation: Int, slot: Int, runID: String, updatePool: Bool = true) async throws
        -> Variant
    {
        var passed = 0.0
        var total = 0
        let counter = Locked(0)
        for suite in suites {
            let report = try await evaluation.evaluate(
                EvaluationRequest(variant: v, suite: suite, run: runID)
            ) { [observer, taskCount] _ in
                let done = counter.increment()
                observer.event(
                    .childEvaluating(
                        generation: generation, slot: slot, variant: v.id, done: done,
                        total: taskCount))
            }
            passed += report.score * Double(report.suiteTaskCount)
            total += report.suiteTaskCount
        }
        let score = total == 0 ? 0 : passed / Double(total)
        try archive.setScore(v.id, score: score, status: .valid)
        let scored = try archive.variant(v.id)
        if updatePool { try candidatePool.outcomesArrived(scored) }
        return scored
    }

    // MARK: - Budgets and results

    /// Why no more work may start, or nil. With `inFlight` children being made out of `made` made so far,
    /// the dollars they will likely cost (the run's mean per child) count as spent already, so that parallel
    /// model calls do not run the bill past the budget.
    func budgetReached(_ runID: String, inFlight: Int = 0, made: Int = 0) throws -> String? {
        if let usd = limits.budgetUSD {
            let spent = try archive.runCost(runID)
            if spent >= usd { return String(format: "the budget of $%.2f is spent ($%.4f)", usd, spent) }
            let perChild = made > 0 ? spent / Double(made) : 0
            if inFlight > 0, perChild > 0, spent + Double(inFlight) * perChild >= usd {
                return String(
                    format:
                        "the budget of $%.2f would be spent by the %d child%@ being made ($%.4f spent, about $%.4f a child)",
                    usd, inFlight, inFlight == 1 ? "" : "ren", spent, perChild)
            }
        }
        if let max = limits.maxEvaluations {
            let done = try archive.evaluationCount(run: runID)
            if done >= max { return "the limit of \(max) evaluations is reached (\(done))" }
        }
        return nil
    }

    func progressNote(generation: Int, pid: Int32) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("generation", generation)
        json.field("generations", settings.generations)
        json.field("pid", Int(pid))
        json.endObject()
        return json.output
    }
}

/// The progress a running search keeps in its run record (`progressNote`, written each generation).
public struct ProgressNote: Decodable, Sendable {
    public var generation: Int?
    public var generations: Int?

    /// The note a run record holds; empty when there is none or it cannot be read.
    public static func read(_ text: String?) -> ProgressNote {
        (try? JSONDecoder().decode(Self.self, from: Data((text ?? "{}").utf8))) ?? ProgressNote()
    }
}

/// Budgets given on the command line (they override the config's).
public struct SearchLimits: Sendable {
    public var budgetUSD: Double?
    public var maxEvaluations: Int?
    /// Stop once a variant scores at least this.
    public var targetScore: Double?
    /// Stop after this many generations without a better best score.
    public var patience: Int?

    public init(
        budgetUSD: Double? = nil, maxEvaluations: Int? = nil, targetScore: Double? = nil,
        patience: Int? = nil
    ) {
        self.budgetUSD = budgetUSD
        self.maxEvaluations = maxEvaluations
        self.targetScore = targetScore
        self.patience = patience
    }
}

/// How a search ended and what it found.
public struct SearchOutcome: Sendable {
    public enum Ending: Sendable, CustomStringConvertible {
        case finished, interrupted
        case budget(String)
        /// A stopping rule was met (`target_score`, `patience`).
        case done(String)

        public var description: String {
            switch self {
            case .finished: return "finished"
            case .done(let why): return "stopped: \(why)"
            case .interrupted: return "interrupted"
            case .budget(let why): return "stopped: \(why)"
            }
        }
    }

    public var run: String
    public var ending: Ending
    public var best: [Variant]
    public var cost: Double
    public var evaluations: Int
    public var seconds: Double
}

/// One line per generation.
public struct GenerationSummary: Sendable {
    public var generation: Int
    public var generations: Int
    public var valid: Int
    public var invalid: Int
    public var invalidReasons: [String]
    public var best: Variant?
    public var meanScore: Double?
    public var cost: Double
    public var tokens: Int
    public var evaluations: Int
    public var seconds: Double
}
