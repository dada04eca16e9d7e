/// The key one agent step or one child's model calls are filed under: the gateway gives each key its own token
/// and budgets, and the archive's `llm_calls` keep it. One type spells every kind, so no file builds or parses
/// the text by hand:
///
///     v12/pyfix/t03              variant v12's agent on task t03 of the suite pyfix          (`task`)
///     r1/g3/s0                   the child in slot 0 of generation 3 of run r1               (`child`)
///     meta-agent/r1/g3/s0        the meta-agent's calls making that child                    (`metaAgent`)
///     r1/g3/s0/self-improve      the parent's own agent improving itself for that child      (`selfImprove`)
public struct TaskKey: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    /// A key read back (from the archive or the gateway).
    public init(_ text: String) { description = text }

    /// An agent's step on a task of a suite; `agent` is the variant's label (`v12`).
    public static func task(agent: String, suite: String, task: String) -> TaskKey {
        TaskKey("\(agent)/\(suite)/\(task)")
    }

    /// A child slot of a generation of a run.
    public static func child(run: String, generation: Int, slot: Int) -> TaskKey {
        TaskKey("\(run)/g\(generation)/s\(slot)")
    }

    /// The meta-agent's calls for a child (`child` is a `child` key's text).
    public static func metaAgent(child: String) -> TaskKey { TaskKey("meta-agent/\(child)") }

    /// The `self` operator's agent step for a child (`child` is a `child` key's text).
    public static func selfImprove(child: String) -> TaskKey { TaskKey("\(child)/self-improve") }

    private var parts: [Substring] { description.split(separator: "/", omittingEmptySubsequences: false) }

    /// For a `task` key: the agent's label (`v12`); nil for the other kinds.
    public var agent: String? {
        let parts = parts
        guard parts.count == 3, let first = parts.first, first.hasPrefix("v") else { return nil }
        return String(first)
    }

    /// For a `task` key: the task's id (`t03`); nil for the other kinds.
    public var taskID: String? { agent == nil ? nil : parts.last.map(String.init) }
}
