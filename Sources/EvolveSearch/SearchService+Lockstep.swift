import EvolveArchive
import EvolveEvaluation
import EvolveMutation
import EvolveSupport
import Foundation

/// The lockstep scheduler (`scheduler: lockstep`): a generation's children are all made, then all
/// evaluated, and the next generation starts when the slowest is done. Kept for comparison with the
/// pipeline and for runs started with it; the same seed always gives the same archive.
extension SearchService {
    func runLockstep(_ runID: String, started: Date, pid: Int32) async throws -> SearchOutcome {
        for generation in 1...settings.generations {
            if let reason = try budgetReached(runID) {
                return try stop(runID, .budget(reason), generation: generation - 1, started: started)
            }
            if let reason = try goalReached(runID, completed: generation - 1) {
                return try stop(runID, .done(reason), generation: generation - 1, started: started)
            }
            let summary = try await runGeneration(generation, runID: runID, started: started)
            observer.event(.generationDone(summary))
            try archive.updateRun(runID, state: .running, progress: progressNote(generation: generation, pid: pid))
        }
        return try finish(runID, started: started)
    }

    private func runGeneration(_ generation: Int, runID: String, started: Date) async throws -> GenerationSummary {
        let plan = try planGeneration(generation, runID: runID)
        var recorded = try archive.children(run: runID, generation: generation)
        let missing = plan.filter { recorded[$0.slot] == nil }
        if !missing.isEmpty {
            // Children are made concurrently (models wait on the network), then recorded in slot order.
            let made = try await withThrowingTaskGroup(of: (Int, MadeChild).self) { group in
                let gate = TokenBucket(tokens: max(1, settings.proposals))
                for child in missing {
                    group.addTask {
                        try await gate.withToken {
                            (child.slot, try await self.makeChild(child, generation: generation, runID: runID))
                        }
                    }
                }
                var results: [Int: MadeChild] = [:]
                for try await (slot, child) in group { results[slot] = child }
                return results
            }
            try Task.checkCancellation()
            for child in missing {
                guard let made = made[child.slot] else { continue }
                let v = try recordChild(
                    made.result, parents: made.parents, plan: child, generation: generation, runID: runID)
                recorded[child.slot] = v
                try candidatePool.childRecorded(v)
                observer.event(.childRecorded(generation: generation, slot: child.slot, variant: v))
            }
        }
        // Evaluate every pending child of the generation (the shared pool bounds the sandboxes).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (slot, v) in recorded.sorted(by: { $0.key < $1.key }) where try needsEvaluation(v) {
                if let reason = try budgetReached(runID) { throw EvolveError(.budget, reason) }
                group.addTask {
                    let scored = try await self.evaluate(v, generation: generation, slot: slot, runID: runID)
                    self.observer.event(.childScored(generation: generation, slot: slot, variant: scored))
                }
            }
            try await group.waitForAll()
        }
        return try generationSummary(generation, runID: runID, started: started)
    }

    /// The saved plan, or a new one drawn with this generation's seeded generator and saved.
    private func planGeneration(_ generation: Int, runID: String) throws -> [PlannedChild] {
        if let saved = try archive.plan(run: runID, generation: generation) { return saved }
        let draw = try parentDraw()
        var rng = SeededGenerator(seed: settings.randomSeed, UInt64(generation), 1)
        let weights = operatorWeights(draw)
        var plan: [PlannedChild] = []
        let context = SelectionContext(generation: generation, childrenPerGeneration: settings.children)
        let mains = try draw.select(count: settings.children, context: context, rng: &rng)
        for slot in 0..<settings.children {
            let op = settings.operators[rng.weightedIndex(weights)]
            var slotContext = context
            slotContext.firstSlot = slot
            let parents = try parents(first: mains[slot], operator: op.name, draw, slotContext, &rng)
            plan.append(PlannedChild(slot: slot, parents: parents, operator: op.name))
        }
        try recordMigrations(before: generation, candidates: draw.candidates, runID: runID)
        try archive.savePlan(run: runID, generation: generation, plan)
        return try archive.plan(run: runID, generation: generation) ?? plan
    }
}
