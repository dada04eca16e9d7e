import EvolveSupport
import Foundation
import Yams

/// The `objectives:` of a suite whose check reports numbers (`results: {metrics: FILE}`):
///
///     objectives:
///       - {name: sum_radii, direction: maximize, weight: 1, bounds: [0, 2.7]}
///       - {name: seconds, direction: minimize, weight: 0.2, bounds: [0, 60]}
///
/// Each objective is normalised to 0…1 by its bounds (clamped); a task's score is the weighted mean of its
/// objectives, and only a task that passed (every test its check reported passed) scores: a failed, crashed
/// or unrun task, or one whose metrics lack an objective or hold NaN or infinity, scores 0. A variant's score
/// on the suite is the mean of its tasks' scores over every task of the suite.
public enum SuiteObjectives {
    static let keys = ["name", "direction", "weight", "bounds"]

    /// Parses `objectives:`; every objective needs bounds (they make the score 0…1, so a missing task's 0 is
    /// the worst score, never a win for a minimised objective).
    static func parse(_ node: Node, in doc: YAMLDocument) throws -> [Objective] {
        let usage = "an objective is like {name: sum_radii, direction: maximize, weight: 1, bounds: [0, 2.7]}"
        guard let items = node.sequence, !items.isEmpty else {
            throw EvolveError(.config, "\(doc.location(of: node)): 'objectives' must be a non-empty list", hint: usage)
        }
        let objectives = try items.map { item -> Objective in
            guard let mapping = item.mapping else {
                throw EvolveError(.config, "\(doc.location(of: item)): an objective must be a mapping", hint: usage)
            }
            var objective = Objective(name: "")
            var bounds: ClosedRange<Double>?
            for (key, value) in mapping {
                let here = doc.location(of: value)
                switch key.string {
                case "name":
                    guard let name = value.string, !name.isEmpty else {
                        throw EvolveError(.config, "\(here): an objective's 'name' must be a metric's name")
                    }
                    objective.name = name
                case "direction":
                    guard let text = value.string, let direction = Objective.Direction(rawValue: text) else {
                        throw EvolveError(.config, "\(here): 'direction' must be maximize or minimize")
                    }
                    objective.direction = direction
                case "weight":
                    guard let weight = number(value), weight.isFinite, weight >= 0 else {
                        throw EvolveError(.config, "\(here): 'weight' must be a number ≥ 0")
                    }
                    objective.weight = weight
                case "bounds":
                    guard let pair = value.sequence?.compactMap(number), pair.count == 2, pair.allSatisfy(\.isFinite),
                        pair[0] < pair[1]
                    else {
                        throw EvolveError(.config, "\(here): 'bounds' must be [LOW, HIGH] with LOW < HIGH", hint: usage)
                    }
                    bounds = pair[0]...pair[1]
                default:
                    throw EvolveError(
                        .config, "\(doc.location(of: key)): unknown objective key '\(key.string ?? "?")'",
                        hint: "an objective has \(keys.joined(separator: ", "))")
                }
            }
            guard !objective.name.isEmpty else {
                throw EvolveError(.config, "\(doc.location(of: item)): an objective needs a 'name'", hint: usage)
            }
            guard let bounds else {
                throw EvolveError(
                    .config, "\(doc.location(of: item)): the objective \(objective.name) needs 'bounds: [LOW, HIGH]'",
                    hint: "bounds normalise the metric to 0…1 so that objectives and tasks can be combined")
            }
            objective.bounds = bounds
            return objective
        }
        do {
            try Objectives.validate(objectives)
        } catch let error as EvolveError {
            throw EvolveError(.config, "\(doc.location("objectives")): \(error.message)", hint: error.hint)
        }
        return objectives
    }

    private static func number(_ node: Node) -> Double? {
        guard node.scalar != nil else { return nil }
        return node.float ?? node.int.map(Double.init)
    }

    /// A task's score under `objectives`: the aggregate of its metrics when it passed, else 0.
    public static func taskScore(passed: Bool, metrics: [String: Double]?, _ objectives: [Objective]) -> Double {
        guard passed, let metrics else { return 0 }
        return (try? Objectives.aggregate(metrics, objectives)) ?? 0
    }
}
