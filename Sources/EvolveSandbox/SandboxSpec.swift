import Foundation

/// What to run in a sandbox and what it may see.
///
/// The sandbox sees the system's `/usr` (read-only), a few files of `/etc`, a private `/tmp`, fresh `/proc`
/// and `/dev`, the workspace (writable, the working directory) and the binds listed here; nothing else of
/// the host. Its environment holds only `PATH`, `HOME`, `TMPDIR`, `LANG` and `environment`.
public struct SandboxSpec: Sendable, Codable {
    /// How the command is given.
    public enum Command: Sendable, Equatable, Codable {
        /// An argument vector; the first element is looked up in the sandbox's `PATH`.
        case argv([String])
        /// A line for `/bin/sh -c`.
        case shell(String)

        var arguments: [String] {
            switch self {
            case .argv(let argv): return argv
            case .shell(let line): return ["/bin/sh", "-c", line]
            }
        }
    }

    /// A host path made visible inside the sandbox.
    public struct Bind: Sendable, Equatable, Codable {
        public var source: String
        public var destination: String
        public var writable: Bool

        public init(source: String, destination: String, writable: Bool = false) {
            self.source = source
            self.destination = destination
            self.writable = writable
        }
    }

    public var command: Command
    /// Host folder mounted writable at `workspaceMount`; the command starts there.
    public var workspace: String
    public var workspaceMount: String
    /// Further host paths (agent source read-only, a Unix socket, a relay script …).
    public var binds: [Bind]
    /// Variables set inside; nothing of the host's environment is passed on.
    public var environment: [String: String]
    public var limits: SandboxLimits
    /// A stable name for the step (`<variant>.<task>.agent`), unused by the local sandbox: a remote executor
    /// names its job after it, so that a resumed engine finds the job of the same step.
    public var label: String?

    public init(
        command: Command, workspace: String, workspaceMount: String = "/work", binds: [Bind] = [],
        environment: [String: String] = [:], limits: SandboxLimits = .standard, label: String? = nil
    ) {
        self.command = command
        self.workspace = workspace
        self.workspaceMount = workspaceMount
        self.binds = binds
        self.environment = environment
        self.limits = limits
        self.label = label
    }

    /// The variables every sandbox starts with; `environment` may override them.
    public static let baseEnvironment: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "USER": "agent",
        "LOGNAME": "agent",
        "PYTHONDONTWRITEBYTECODE": "1",
    ]
}

/// How a sandboxed step ended and what it printed.
public struct SandboxResult: Sendable, Equatable, Codable {
    /// Why the step ended.
    public enum Termination: String, Sendable, Codable {
        /// The command exited by itself (with any status).
        case exited
        /// The wall time ran out; the whole tree was killed.
        case timeout
        /// The memory limit was hit and the kernel killed a process of the tree.
        case memory
        /// The step printed far more than the output limit and was stopped.
        case outputCap = "output_cap"
        /// The caller cancelled the step; the whole tree was killed.
        case killed
    }

    public var termination: Termination
    /// The command's exit status as bubblewrap reports it: 128 + n when it died of signal n.
    public var exitStatus: Int32
    /// Standard output and standard error, interleaved as written; at most `outputKB` (its head and its tail
    /// around a marker that says how much was dropped).
    public var output: String
    /// Bytes of output kept in `output` (before the marker).
    public var outputBytesKept: Int
    /// Bytes of output dropped (printed beyond the limit, or still unread when the tree was killed).
    public var outputBytesDropped: Int
    /// Seconds from spawning bubblewrap to its exit.
    public var wallSeconds: Double
    /// Process creations the kernel refused because the step was at its process limit (0 when unknown).
    public var forksRefused: Int

    public init(
        termination: Termination, exitStatus: Int32, output: String, outputBytesKept: Int, outputBytesDropped: Int,
        wallSeconds: Double, forksRefused: Int = 0
    ) {
        self.termination = termination
        self.exitStatus = exitStatus
        self.output = output
        self.outputBytesKept = outputBytesKept
        self.outputBytesDropped = outputBytesDropped
        self.wallSeconds = wallSeconds
        self.forksRefused = forksRefused
    }

    /// Whether the command exited by itself with status 0.
    public var succeeded: Bool { termination == .exited && exitStatus == 0 }

    /// The signal that probably ended the command (status above 128), nil for a plain exit.
    public var signal: Int32? {
        termination == .exited && exitStatus > 128 && exitStatus < 128 + 65 ? exitStatus - 128 : nil
    }

    /// One line for a log or a table: "exit 1", "killed after 120 s", "signal 11 (segmentation fault)" …
    public func summary(limits: SandboxLimits) -> String {
        var text: String
        switch termination {
        case .timeout: text = "killed after \(formatSeconds(limits.timeoutSeconds)) (time limit)"
        case .memory: text = "killed by the memory limit (\(limits.memoryMB) MB)"
        case .outputCap:
            text = "stopped after printing more than \(limits.outputKB * SandboxLimits.outputKillFactor) KB"
        case .killed: text = "cancelled"
        case .exited:
            if let signal {
                text = "signal \(signal)" + (signalNames[signal].map { " (\($0))" } ?? "")
            } else {
                text = "exit \(exitStatus)"
            }
        }
        if forksRefused > 0 {
            text += "; hit the process limit (\(limits.pids)): \(forksRefused) process creations refused"
        }
        if outputBytesDropped > 0 { text += "; dropped \(formatBytes(outputBytesDropped)) of output" }
        return text
    }
}

private let signalNames: [Int32: String] = [
    4: "illegal instruction", 6: "abort", 7: "bus error", 8: "floating-point exception", 9: "killed",
    11: "segmentation fault", 13: "broken pipe", 15: "terminated", 24: "CPU time limit",
    25: "file size limit",
]

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
}

/// "812 B", "3.1 KB", "2.0 GB".
public func formatBytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
}
