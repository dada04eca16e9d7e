import EvolveEvaluation
import EvolveSupport
import EvolveTasks
import Foundation
import Testing

@testable import EvolveSearch

let passRate = Objective(name: "pass_rate", direction: .maximize, weight: 3, bounds: 0...1)
let codeSize = Objective(name: "code_size", direction: .minimize, weight: 1, bounds: 100...300)

@Suite struct ObjectiveTests {
    @Test func aggregationNormalisesFlipsAndWeighs() throws {
        // pass 0.5 → 0.5; size 150 of 100…300 minimised → 0.75; (3·0.5 + 1·0.75) / 4.
        let score = try Objectives.aggregate(["pass_rate": 0.5, "code_size": 150], [passRate, codeSize])
        #expect(abs(score - (3 * 0.5 + 0.75) / 4) < 1e-12)
        // Outside the bounds: clamped, so a tiny tree cannot buy more than the bound is worth.
        #expect(try Objectives.aggregate(["pass_rate": 0, "code_size": 1], [passRate, codeSize]) == 0.25)
        #expect(try Objectives.aggregate(["pass_rate": 1, "code_size": 5000], [passRate, codeSize]) == 0.75)
        // Without bounds: the raw value, negated when minimised.
        #expect(try Objectives.aggregate(["t": 4], [Objective(name: "t", direction: .minimize)]) == -4)
        // A weight of 0 leaves an objective out.
        let ignored = Objective(name: "code_size", direction: .minimize, weight: 0, bounds: 100...300)
        #expect(
            abs(try Objectives.aggregate(["pass_rate": 0.8, "code_size": 300], [passRate, ignored]) - 0.8) < 1e-12)
    }

    @Test func notANumberMissingValuesAndBadWeightsAreRefused() {
        // A check that reports NaN or infinity for a minimised metric must not win.
        for bad in [Double.nan, -.infinity, .infinity] {
            #expect(throws: EvolveError.self) {
                try Objectives.aggregate(["pass_rate": 1, "code_size": bad], [passRate, codeSize])
            }
            #expect(throws: EvolveError.self) {
                try Objectives.paretoFront([["pass_rate": 1, "code_size": bad]], [passRate, codeSize])
            }
        }
        #expect(throws: EvolveError.self) { try Objectives.aggregate(["pass_rate": 1], [passRate, codeSize]) }
        #expect(throws: EvolveError.self) { try Objectives.aggregate(["x": 1], []) }
        #expect(throws: EvolveError.self) {
            try Objectives.aggregate(["x": 1], [Objective(name: "x", weight: -1)])
        }
        #expect(throws: EvolveError.self) { try Objectives.aggregate(["x": 1], [Objective(name: "x", weight: .nan)]) }
        #expect(throws: EvolveError.self) { try Objectives.aggregate(["x": 1], [Objective(name: "x", weight: 0)]) }
        #expect(throws: EvolveError.self) {
            try Objectives.aggregate(["x": 1], [Objective(name: "x"), Objective(name: "x")])
        }
        // The honest point passes.
        #expect(throws: Never.self) {
            try Objectives.aggregate(["pass_rate": 1, "code_size": 120], [passRate, codeSize])
        }
    }

    @Test func paretoFrontKeepsTheNonDominatedAndEveryTie() throws {
        let points: [[String: Double]] = [
            ["pass_rate": 0.9, "code_size": 250],  // 0: best pass rate
            ["pass_rate": 0.5, "code_size": 110],  // 1: smallest
            ["pass_rate": 0.7, "code_size": 200],  // 2: a trade-off
            ["pass_rate": 0.6, "code_size": 220],  // 3: dominated by 2
            ["pass_rate": 0.7, "code_size": 200],  // 4: equal to 2, so also on the front
            ["pass_rate": 0.5, "code_size": 300],  // 5: dominated by everything above
        ]
        #expect(try Objectives.paretoFront(points, [passRate, codeSize]) == [0, 1, 2, 4])
        #expect(try Objectives.paretoRanks(points, [passRate, codeSize]) == [0, 0, 0, 1, 0, 2])
        #expect(try Objectives.paretoFront([], [passRate]) == [])
    }

    @Test func withOneObjectiveTheRanksAreTheSortOrder() throws {
        var rng = SeededGenerator(seed: 5)
        let values = (0..<40).map { _ in Double(rng.next() % 10) }
        let ranks = try Objectives.paretoRanks(values.map { ["v": $0] }, [Objective(name: "v", direction: .minimize)])
        let levels = Array(Set(values)).sorted()
        for (value, rank) in zip(values, ranks) { #expect(rank == levels.firstIndex(of: value)) }
        let front = try Objectives.paretoFront(values.map { ["v": $0] }, [Objective(name: "v")])
        #expect(front == values.indices.filter { values[$0] == values.max() })
    }
}
