import EvolveSupport
import Foundation
import Yams

/// A task suite: `suite.yaml` and one folder per task under `tasks/`. Suites are data; adding one needs no Swift.
///
///     name: pyfix
///     check: python3 -m unittest discover -s tests   # default check; a task's task.yaml may override
///     timeout_s: 120                                 # agent step
///     check_timeout_s: 60
///     stages: [{tasks: 10, threshold: 0.4}, {tasks: all}]
///     results: unittest                              # how verdicts are read (CheckResults); default: from `check`
///     feedback: verdicts                             # what the meta-agent sees of a check: verdicts (default) or full
///     objectives: [{name: sum_radii, direction: maximize, weight: 1, bounds: [0, 2.7]}]  # see SuiteObjectives
///
///     tasks/<id>/prompt.md     the statement        tasks/<id>/tests/      hidden until the agent has exited
///     tasks/<id>/workspace/    the starting files   tasks/<id>/task.yaml   optional: check, timeout_s, check_timeout_s
public struct Suite: Sendable {
    public var name: String
    public var directory: String
    public var check: String
    public var timeoutSeconds: Double
    public var checkTimeoutSeconds: Double
    public var stages: [SuiteStage]
    /// What the meta-agent and the self-improvement task see of a check (`feedback:`).
    public var feedback: FeedbackLevel = .verdicts
    /// What the score combines when the check reports metrics (`objectives:`); empty for a pass/fail suite.
    public var objectives: [Objective] = []
    /// In the suite's order (by folder name).
    public var tasks: [SuiteTask]

    public static let defaultCheck = "python3 -m unittest discover -s tests"
    public static let defaultTimeoutSeconds = 120.0
    public static let defaultCheckTimeoutSeconds = 60.0
    static let keys = [
        "name", "check", "timeout_s", "check_timeout_s", "stages", "results", "feedback", "description", "meta",
        "objectives",
    ]

    public init(
        name: String, directory: String, check: String, timeoutSeconds: Double, checkTimeoutSeconds: Double,
        stages: [SuiteStage], tasks: [SuiteTask]
    ) {
        self.name = name
        self.directory = directory
        self.check = check
        self.timeoutSeconds = timeoutSeconds
        self.checkTimeoutSeconds = checkTimeoutSeconds
        self.stages = stages
        self.tasks = tasks
    }

    public var taskIDs: [String] { tasks.map(\.id) }

    public func task(_ id: String) -> SuiteTask? { tasks.first { $0.id == id } }

    // MARK: - Finding and loading

    /// The folder of a suite given by name (looked up in each of `searchPaths`) or by path.
    public static func locate(_ nameOrPath: String, searchPaths: [String] = ["seeds/suites"]) throws -> String {
        if nameOrPath.contains("/") || Files.isDirectory(nameOrPath) && Files.exists("\(nameOrPath)/suite.yaml") {
            guard Files.exists("\(nameOrPath)/suite.yaml") else {
                throw EvolveError(.notFound, "no suite.yaml in \(nameOrPath)")
            }
            return Files.absolute(nameOrPath)
        }
        for base in searchPaths where Files.exists("\(base)/\(nameOrPath)/suite.yaml") {
            return Files.absolute("\(base)/\(nameOrPath)")
        }
        let known = searchPaths.flatMap { base in
            (Files.entries(base) ?? []).filter { Files.exists("\(base)/\($0)/suite.yaml") }
        }.sorted()
        throw EvolveError(
            .notFound, "no suite named '\(nameOrPath)' in \(searchPaths.joined(separator: ", "))",
            hint: known.isEmpty ? "give the suite's folder as a path" : "known suites: \(known.joined(separator: ", "))"
        )
    }

    /// Reads `suite.yaml` and every task folder.
    public static func load(from directory: String) throws -> Suite {
        let directory = Files.absolute(directory)
        let doc = try YAMLDocument.load("\(directory)/suite.yaml")
        try doc.requireOnlyKeys(keys)
        let check = try doc.string("check") ?? defaultCheck
        let timeout = try doc.seconds("timeout_s") ?? defaultTimeoutSeconds
        let checkTimeout = try doc.seconds("check_timeout_s") ?? defaultCheckTimeoutSeconds
        let results = try doc.node("results").map { try CheckResults.parse($0, check: check, in: doc) }
        var feedback = FeedbackLevel.verdicts
        if let text = try doc.string("feedback") {
            guard let level = FeedbackLevel(rawValue: text) else {
                throw EvolveError(
                    .config, "\(doc.location("feedback")): 'feedback' must be verdicts or full, not '\(text)'")
            }
            feedback = level
        }
        let tasksDir = "\(directory)/tasks"
        guard Files.isDirectory(tasksDir) else {
            throw EvolveError(.config, "the suite in \(directory) has no tasks/ folder")
        }
        let ids = (Files.entries(tasksDir) ?? []).filter {
            !$0.hasPrefix(".") && Files.isDirectory("\(tasksDir)/\($0)")
        }
        .sorted()
        guard !ids.isEmpty else { throw EvolveError(.config, "the suite in \(directory) has no tasks") }
        let tasks = try ids.map {
            try SuiteTask.load(
                id: $0, directory: "\(tasksDir)/\($0)", check: check, results: results, timeout: timeout,
                checkTimeout: checkTimeout)
        }
        let stages = try doc.node("stages").map { try SuiteStage.parse($0, in: doc, taskIDs: ids) } ?? []
        var suite = Suite(
            name: try doc.string("name") ?? (directory as NSString).lastPathComponent, directory: directory,
            check: check, timeoutSeconds: timeout, checkTimeoutSeconds: checkTimeout, stages: stages, tasks: tasks)
        suite.feedback = feedback
        if let node = doc.node("objectives") {
            suite.objectives = try SuiteObjectives.parse(node, in: doc)
            if let task = tasks.first(where: { if case .metrics = $0.resultsFormat { false } else { true } }) {
                throw EvolveError(
                    .config,
                    "\(doc.location("objectives")): objectives need metrics, but task \(task.id) reads its verdicts as \(task.resultsFormat.source)",
                    hint: "declare `results: {metrics: FILE}` so the check reports the objectives' values")
            }
        }
        return suite
    }
}

/// One task of a suite.
public struct SuiteTask: Sendable, Equatable {
    public var id: String
    public var directory: String
    /// The statement the agent reads (`EVOLVE_TASK_FILE`).
    public var promptPath: String
    /// The starting files; nil when the task starts from an empty folder.
    public var workspacePath: String?
    /// The hidden tests; nil when the check needs none.
    public var testsPath: String?
    /// A line for `/bin/sh -c`, run in the workspace after the tests were copied in.
    public var check: String
    /// How the verdicts are read; nil means "recognised from `check`" (see `resultsFormat`).
    public var results: CheckResults?
    public var timeoutSeconds: Double
    public var checkTimeoutSeconds: Double

    static let keys = ["check", "results", "timeout_s", "check_timeout_s", "description", "meta"]

    /// The declared `results:`, else the trusted runner for a plain unittest/pytest check, else the exit status.
    public var resultsFormat: CheckResults { results ?? CheckResults.detect(check) ?? .exitStatus }

    public init(
        id: String, directory: String, promptPath: String, workspacePath: String?, testsPath: String?, check: String,
        timeoutSeconds: Double, checkTimeoutSeconds: Double
    ) {
        self.id = id
        self.directory = directory
        self.promptPath = promptPath
        self.workspacePath = workspacePath
        self.testsPath = testsPath
        self.check = check
        self.timeoutSeconds = timeoutSeconds
        self.checkTimeoutSeconds = checkTimeoutSeconds
    }

    static func load(
        id: String, directory: String, check: String, results: CheckResults? = nil, timeout: Double,
        checkTimeout: Double
    ) throws -> SuiteTask {
        let prompt = "\(directory)/prompt.md"
        guard Files.exists(prompt) else {
            throw EvolveError(.config, "task \(id) has no prompt.md (in \(directory))")
        }
        var task = SuiteTask(
            id: id, directory: directory, promptPath: prompt,
            workspacePath: Files.isDirectory("\(directory)/workspace") ? "\(directory)/workspace" : nil,
            testsPath: Files.isDirectory("\(directory)/tests") ? "\(directory)/tests" : nil, check: check,
            timeoutSeconds: timeout, checkTimeoutSeconds: checkTimeout)
        task.results = results
        let yaml = "\(directory)/task.yaml"
        if Files.exists(yaml) {
            let doc = try YAMLDocument.load(yaml)
            try doc.requireOnlyKeys(keys)
            task.check = try doc.string("check") ?? check
            if let node = doc.node("results") {
                task.results = try CheckResults.parse(node, check: task.check, in: doc)
            } else if doc.has("check") {
                task.results = nil  // a check of its own: recognised from that line
            }
            task.timeoutSeconds = try doc.seconds("timeout_s") ?? timeout
            task.checkTimeoutSeconds = try doc.seconds("check_timeout_s") ?? checkTimeout
        }
        return task
    }
}

/// One stage of an evaluation: the first `tasks` of the suite (cumulative), and the pass rate over every task
/// run so far that the variant must reach to go on to the next stage.
public struct SuiteStage: Sendable, Equatable {
    public enum Tasks: Sendable, Equatable {
        case first(Int)
        case named([String])
        case all
    }

    public var tasks: Tasks
    /// Fraction in 0…1; nil means "go on regardless".
    public var threshold: Double?

    public init(tasks: Tasks, threshold: Double? = nil) {
        self.tasks = tasks
        self.threshold = threshold
    }

    static func parse(_ node: Node, in doc: YAMLDocument, taskIDs: [String]) throws -> [SuiteStage] {
        guard let items = node.sequence else {
            throw EvolveError(
                .config,
                "\(doc.location(of: node)): 'stages' must be a list like [{tasks: 10, threshold: 0.4}, {tasks: all}]")
        }
        return try items.map { item in
            guard let mapping = item.mapping else {
                throw EvolveError(
                    .config, "\(doc.location(of: item)): a stage must be a mapping like {tasks: 10, threshold: 0.4}")
            }
            var tasks: Tasks?
            var threshold: Double?
            for (key, value) in mapping {
                switch key.string {
                case "tasks":
                    if value.string == "all" {
                        tasks = .all
                    } else if let n = value.int, value.scalar != nil {
                        guard n > 0 else {
                            throw EvolveError(.config, "\(doc.location(of: value)): 'tasks' must be positive")
                        }
                        tasks = .first(n)
                    } else if let list = value.sequence {
                        let names = list.compactMap(\.string)
                        if let unknown = names.first(where: { !taskIDs.contains($0) }) {
                            throw EvolveError(
                                .config, "\(doc.location(of: value)): the stage names unknown task '\(unknown)'")
                        }
                        tasks = .named(names)
                    } else {
                        throw EvolveError(
                            .config, "\(doc.location(of: value)): 'tasks' must be a number, 'all' or a list of task ids"
                        )
                    }
                case "threshold":
                    guard let t = value.float ?? value.int.map(Double.init), (0...1).contains(t) else {
                        throw EvolveError(
                            .config, "\(doc.location(of: value)): 'threshold' must be a number from 0 to 1")
                    }
                    threshold = t
                default:
                    throw EvolveError(
                        .config, "\(doc.location(of: key)): unknown stage key '\(key.string ?? "?")'",
                        hint: "a stage has 'tasks' and 'threshold'")
                }
            }
            guard let tasks else { throw EvolveError(.config, "\(doc.location(of: item)): a stage needs 'tasks'") }
            return SuiteStage(tasks: tasks, threshold: threshold)
        }
    }

    /// Splits `taskIDs` (in suite order) into the tasks each stage adds; tasks no stage names form a last stage.
    public static func plan(_ stages: [SuiteStage], taskIDs: [String]) -> [(tasks: [String], threshold: Double?)] {
        var plan: [(tasks: [String], threshold: Double?)] = []
        var covered = Set<String>()
        for stage in stages {
            let wanted: [String]
            switch stage.tasks {
            case .all: wanted = taskIDs
            case .first(let n): wanted = Array(taskIDs.prefix(n))
            case .named(let names): wanted = taskIDs.filter { names.contains($0) }
            }
            let added = wanted.filter { !covered.contains($0) }
            covered.formUnion(added)
            if added.isEmpty { continue }
            plan.append((added, stage.threshold))
        }
        let rest = taskIDs.filter { !covered.contains($0) }
        if !rest.isEmpty { plan.append((rest, nil)) }
        return plan
    }
}
