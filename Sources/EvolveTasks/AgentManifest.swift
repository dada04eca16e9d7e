import EvolveSupport
import Foundation

/// `agent.yaml` at the root of an agent's source: how to run it.
///
///     name: coding-agent
///     run: python3 $EVOLVE_AGENT_DIR/agent.py    # for a task; cwd = the task's workspace
///     self_improve: python3 $EVOLVE_AGENT_DIR/agent.py --improve   # optional
public struct AgentManifest: Sendable, Equatable {
    public var name: String
    /// A line for `/bin/sh -c`, run in the task's workspace.
    public var run: String
    /// A line for `/bin/sh -c`, run in a writable copy of the agent's own source; nil when not given.
    public var selfImprove: String?

    public static let fileName = "agent.yaml"
    static let keys = ["name", "run", "self_improve", "description", "meta"]

    public init(name: String, run: String, selfImprove: String? = nil) {
        self.name = name
        self.run = run
        self.selfImprove = selfImprove
    }

    /// Reads `agent.yaml` in `directory`.
    public static func load(fromDirectory directory: String) throws -> AgentManifest {
        let path = "\(directory)/\(fileName)"
        guard Files.exists(path) else {
            throw EvolveError(
                .config, "the agent has no \(fileName) (looked in \(directory))",
                hint: "an agent's folder needs an agent.yaml with at least 'run: <command>'")
        }
        return try parse(try YAMLDocument.load(path), folderName: (directory as NSString).lastPathComponent)
    }

    /// Parses the text of an `agent.yaml`; `path` is only for messages.
    public static func parse(_ text: String, path: String = fileName) throws -> AgentManifest {
        try parse(try YAMLDocument.parse(text, path: path), folderName: "agent")
    }

    private static func parse(_ doc: YAMLDocument, folderName: String) throws -> AgentManifest {
        try doc.requireOnlyKeys(keys)
        return AgentManifest(
            name: try doc.string("name") ?? folderName, run: try doc.requiredString("run"),
            selfImprove: try doc.string("self_improve"))
    }
}
