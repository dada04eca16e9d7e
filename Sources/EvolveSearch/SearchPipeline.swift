import EvolveArchive
import EvolveMutation
import EvolveSupport
import Foundation

/// The steady-state scheduler (`scheduler: pipeline`, the default). Children are numbered in the order they
/// are planned: child k is slot k mod `children` of generation k / `children` + 1, so plans, call keys,
/// reports and `--generations` keep their meaning. There is no generation barrier:
///
/// - a child is planned (parents drawn from the archive as it stands, the plan saved) as soon as one of the
///   `proposals` model-call workers is free and fewer than `max_pending` children are unsettled;
/// - it is recorded as soon as its operator answers, and evaluated as soon as it is recorded (the
///   evaluation pool bounds the sandboxes to `workers`);
/// - a generation closes (its summary line, the stopping rules) once all its children are settled:
///   recorded invalid, or evaluated.
///
/// In the deterministic mode (`--deterministic`, or one proposal worker) child k waits until children
/// 0..<k − max_pending are settled and draws its parents from the candidates as they stood after exactly
/// those (the pool is fed in child order), and children are recorded in child order: the same seed gives
/// the same archive, however the work interleaves.
///
/// Crash-safe as the lockstep scheduler: a child's plan is saved before its model call and its outcomes as
/// they come; a resumed run makes the planned children not yet recorded, evaluates the pending ones, and
/// goes on planning after the last plan.
final class SearchPipeline {
    enum Event: Sendable {
        case made(index: Int, plan: PlannedChild, child: SearchService.MadeChild)
        case scored(index: Int, variant: Variant)
    }

    private let service: SearchService
    private let runID: String
    private let started: Date
    private let pid: Int32
    private let perGeneration: Int
    private let total: Int
    private let deterministic: Bool
    private let window: Int

    /// The next child to plan.
    private var nextPlan = 0
    /// Planned children waiting for a proposal worker (after a resume).
    private var queued: [(index: Int, plan: PlannedChild)] = []
    private var proposing = 0
    /// Made children not yet recorded (the deterministic mode records in child order).
    private var made: [Int: (plan: PlannedChild, child: SearchService.MadeChild)] = [:]
    private var recorded: [Int: Variant] = [:]
    private var nextRecord = 0
    private var awaitingEvaluation: [(index: Int, variant: Variant)] = []
    private var evaluating = 0
    private var settled: Set<Int> = []
    /// Every child below this one is settled.
    private var settledPrefix = 0
    /// The deterministic mode: the children below this one are in the candidate pool.
    private var poolCursor = 0
    private var nextClose = 1
    private var ending: SearchOutcome.Ending?

    init(_ service: SearchService, runID: String, started: Date, pid: Int32) throws {
        self.service = service
        self.runID = runID
        self.started = started
        self.pid = pid
        let settings = service.settings
        perGeneration = settings.children
        total = settings.generations * settings.children
        deterministic = settings.isDeterministic
        window = settings.maxPending
        try resumeFromArchive()
    }

    private var settings: SearchSettings { service.settings }
    private var archive: Archive { service.archive }
    private var pending: Int { queued.count + proposing + made.count + awaitingEvaluation.count + evaluating }
    private var idle: Bool { pending == 0 && (ending != nil || nextPlan >= total) }

    private func place(_ index: Int) -> (generation: Int, slot: Int) {
        (index / perGeneration + 1, index % perGeneration)
    }

    // MARK: - Running

    func run() async throws -> SearchOutcome {
        try await withThrowingTaskGroup(of: Event.self) { group in
            while true {
                try startWork(&group)
                if idle { break }
                guard let event = try await group.next() else { break }
                switch event {
                case .made(let index, let plan, let child): try childMade(index, plan, child)
                case .scored(let index, let variant): try childScored(index, variant)
                }
            }
        }
        if let ending { return try service.stop(runID, ending, generation: nextClose - 1, started: started) }
        return try service.finish(runID, started: started)
    }

    /// Starts every evaluation waiting, the queued proposals, and new children while the limits allow.
    private func startWork(_ group: inout ThrowingTaskGroup<Event, any Error>) throws {
        while !awaitingEvaluation.isEmpty {
            if ending == nil, let reason = try service.budgetReached(runID) { ending = .budget(reason) }
            // A budget stop leaves recorded children pending: a resume with a larger budget evaluates them.
            if case .budget = ending {
                awaitingEvaluation.removeAll()
                queued.removeAll()
                break
            }
            let (index, v) = awaitingEvaluation.removeFirst()
            let (generation, slot) = place(index)
            let (service, runID, updatePool) = (service, runID, !deterministic)
            evaluating += 1
            group.addTask {
                let scored = try await service.evaluate(
                    v, generation: generation, slot: slot, runID: runID, updatePool: updatePool)
                return .scored(index: index, variant: scored)
            }
        }
        if case .budget = ending { queued.removeAll() }
        while !queued.isEmpty && proposing < settings.proposals {
            let next = queued.removeFirst()
            propose(next.index, next.plan, &group)
        }
        while ending == nil, nextPlan < total, queued.isEmpty, proposing < settings.proposals, mayPlanNext {
            if let reason = try service.budgetReached(runID, inFlight: proposing, made: recorded.count) {
                ending = .budget(reason)
                break
            }
            let plan = try planChild(nextPlan)
            propose(nextPlan, plan, &group)
            nextPlan += 1
        }
    }

    /// Back-pressure: fewer than `max_pending` unsettled children; in the deterministic mode, every child
    /// more than `max_pending` before the next one settled.
    private var mayPlanNext: Bool {
        deterministic ? settledPrefix >= nextPlan - window : pending < window
    }

    private func propose(_ index: Int, _ plan: PlannedChild, _ group: inout ThrowingTaskGroup<Event, any Error>) {
        let (service, runID, generation) = (service, runID, place(index).generation)
        proposing += 1
        group.addTask {
            .made(
                index: index, plan: plan, child: try await service.makeChild(plan, generation: generation, runID: runID)
            )
        }
    }

    /// Draws child `index`'s parents and operator from the candidates as they stand (in the deterministic
    /// mode: as they stood after children 0..<index − max_pending), and saves the plan.
    private func planChild(_ index: Int) throws -> PlannedChild {
        if deterministic { try feedPool(upTo: index - window) }
        let (generation, slot) = place(index)
        let draw = try service.parentDraw()
        var rng = SeededGenerator(seed: settings.randomSeed, UInt64(generation), UInt64(slot), 2)
        let context = SelectionContext(
            generation: generation, firstSlot: slot, childrenPerGeneration: perGeneration)
        let first = try draw.select(count: 1, context: context, rng: &rng)[0]
        let op = settings.operators[rng.weightedIndex(service.operatorWeights(draw))]
        let plan = PlannedChild(
            slot: slot, parents: try service.parents(first: first, operator: op.name, draw, context, &rng),
            operator: op.name)
        // A plan sees the archive up to max_pending children behind: each migration point in that reach
        // is logged once, by the first plan that sees its migrations.
        for point in max(2, generation - window / perGeneration - 1)...max(2, generation) where point <= generation {
            try service.recordMigrations(before: point, candidates: draw.candidates, runID: runID)
        }
        try archive.savePlan(run: runID, generation: generation, [plan])
        return plan
    }

    /// The deterministic mode: children below `limit` (all settled) enter the pool in child order.
    private func feedPool(upTo limit: Int) throws {
        while poolCursor < limit {
            if let v = recorded[poolCursor] { try service.candidatePool.childRecorded(try archive.variant(v.id)) }
            poolCursor += 1
        }
    }

    // MARK: - Results

    private func childMade(_ index: Int, _ plan: PlannedChild, _ child: SearchService.MadeChild) throws {
        proposing -= 1
        // An answer cut short by Ctrl-C is not a child: its plan stays, and a resume makes it again.
        try Task.checkCancellation()
        made[index] = (plan, child)
        if !deterministic {
            try record(index)
            return
        }
        while recorded[nextRecord] != nil { nextRecord += 1 }
        while made[nextRecord] != nil {
            try record(nextRecord)
            nextRecord += 1
            while recorded[nextRecord] != nil { nextRecord += 1 }
        }
    }

    private func record(_ index: Int) throws {
        guard let (plan, child) = made.removeValue(forKey: index) else { return }
        let generation = place(index).generation
        let v = try service.recordChild(
            child.result, parents: child.parents, plan: plan, generation: generation, runID: runID)
        recorded[index] = v
        if !deterministic { try service.candidatePool.childRecorded(v) }
        service.observer.event(.childRecorded(generation: generation, slot: plan.slot, variant: v))
        if try service.needsEvaluation(v) {
            awaitingEvaluation.append((index, v))
        } else {
            try settle(index)
        }
    }

    private func childScored(_ index: Int, _ v: Variant) throws {
        evaluating -= 1
        recorded[index] = v
        let (generation, slot) = place(index)
        service.observer.event(.childScored(generation: generation, slot: slot, variant: v))
        try settle(index)
    }

    /// Marks a child settled and closes every generation now complete, in order.
    private func settle(_ index: Int) throws {
        settled.insert(index)
        while settled.contains(settledPrefix) { settledPrefix += 1 }
        while nextClose <= settings.generations && settledPrefix >= nextClose * perGeneration {
            let summary = try service.generationSummary(nextClose, runID: runID, started: started)
            service.observer.event(.generationDone(summary))
            try archive.updateRun(
                runID, state: .running, progress: service.progressNote(generation: nextClose, pid: pid))
            if ending == nil, let reason = try service.goalReached(runID, completed: nextClose) {
                ending = .done(reason)
            }
            nextClose += 1
        }
    }

    // MARK: - Resuming

    /// Reads what an earlier session of this run planned, recorded and evaluated: planned children not
    /// recorded are queued, recorded ones still pending wait for evaluation, and planning goes on after the
    /// last plan. Generations already complete are closed without a summary line.
    private func resumeFromArchive() throws {
        var generation = 1
        while let plan = try archive.plan(run: runID, generation: generation) {
            let children = try archive.children(run: runID, generation: generation)
            for child in plan {
                let index = (generation - 1) * perGeneration + child.slot
                nextPlan = max(nextPlan, index + 1)
                if let v = children[child.slot] {
                    recorded[index] = v
                    if try service.needsEvaluation(v) {
                        awaitingEvaluation.append((index, v))
                    } else {
                        settled.insert(index)
                    }
                } else {
                    queued.append((index, child))
                }
            }
            generation += 1
        }
        while settled.contains(settledPrefix) { settledPrefix += 1 }
        nextClose = min(settledPrefix / perGeneration, settings.generations) + 1
        if let reason = try service.goalReached(runID, completed: nextClose - 1) {
            ending = .done(reason)
        }
        if deterministic {
            // The pool holds exactly the children below the cursor, all settled; the later ones are fed in
            // child order as planning reaches them.
            poolCursor = max(0, min(nextPlan - window, settledPrefix))
            let later = recorded.filter { $0.key >= poolCursor }.map(\.value.id)
            try service.candidatePool.load(excluding: Set(later))
        }
    }
}
