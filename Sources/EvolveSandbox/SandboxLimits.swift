import EvolveSupport
import Foundation

/// The resources one sandboxed step may use. Every limit applies to the whole process tree of the step.
///
/// The YAML and JSON spelling is the run configuration's `sandbox:` block:
/// `{timeout_s: 120, memory_mb: 2048, pids: 256, file_size_mb: 64, output_kb: 256, workspace_mb: 1024,
/// workspace_files: 100000}`; a missing key keeps its default.
public struct SandboxLimits: Sendable, Equatable, Codable {
    /// Wall time in seconds; when it runs out, every process of the step is killed.
    public var timeoutSeconds: Double
    /// Memory of the whole tree, in MiB (resident memory and tmpfs, through the memory controller; per process
    /// address space when no controller can be used).
    public var memoryMB: Int
    /// Number of processes (and threads) alive at once.
    public var pids: Int
    /// Largest file a process may write, in MiB.
    public var fileSizeMB: Int
    /// Output kept (standard output and error together), in KiB. The rest is dropped and counted; a step
    /// that prints more than `outputKillFactor` times this is killed.
    public var outputKB: Int
    /// Files the engine copies out of a workspace a step wrote (for the check), in MiB all together; a
    /// workspace holding more ends its task as `crashed`.
    public var workspaceMB: Int
    /// Entries (files, folders, links) the engine copies out of a workspace a step wrote.
    public var workspaceFiles: Int

    /// A step printing more than this many times `outputKB` is stopped with `SandboxResult.Termination.outputCap`.
    public static let outputKillFactor = 16

    public init(
        timeoutSeconds: Double = 120, memoryMB: Int = 2048, pids: Int = 256, fileSizeMB: Int = 64,
        outputKB: Int = 256, workspaceMB: Int = 1024, workspaceFiles: Int = 100_000
    ) {
        self.timeoutSeconds = timeoutSeconds
        self.memoryMB = memoryMB
        self.pids = pids
        self.fileSizeMB = fileSizeMB
        self.outputKB = outputKB
        self.workspaceMB = workspaceMB
        self.workspaceFiles = workspaceFiles
    }

    /// The defaults: 120 s, 2 GiB, 256 processes, 64 MiB files, 256 KiB of output, workspaces of 1 GiB and
    /// 100 000 entries.
    public static let standard = SandboxLimits()

    /// Checks that every limit is usable; the message names the key as written in a configuration.
    public func validate() throws {
        func bad(_ key: String, _ value: String) -> EvolveError {
            EvolveError(.config, "sandbox.\(key) must be positive, not \(value)")
        }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else { throw bad("timeout_s", "\(timeoutSeconds)") }
        guard memoryMB >= 16 else {
            throw EvolveError(.config, "sandbox.memory_mb must be at least 16, not \(memoryMB)")
        }
        guard pids > 0 else { throw bad("pids", "\(pids)") }
        guard fileSizeMB > 0 else { throw bad("file_size_mb", "\(fileSizeMB)") }
        guard outputKB > 0 else { throw bad("output_kb", "\(outputKB)") }
        guard workspaceMB > 0 else { throw bad("workspace_mb", "\(workspaceMB)") }
        guard workspaceFiles > 0 else { throw bad("workspace_files", "\(workspaceFiles)") }
    }

    var outputBytesKept: Int { outputKB * 1024 }
    var outputBytesBeforeKill: Int { outputKB * 1024 * Self.outputKillFactor }
}

// MARK: - Codable

extension SandboxLimits {
    /// The keys `sandbox:` may hold in a run configuration.
    public static let keys = CodingKeys.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case timeoutSeconds = "timeout_s"
        case memoryMB = "memory_mb"
        case pids
        case fileSizeMB = "file_size_mb"
        case outputKB = "output_kb"
        case workspaceMB = "workspace_mb"
        case workspaceFiles = "workspace_files"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SandboxLimits.standard
        self.init(
            timeoutSeconds: try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds,
            memoryMB: try c.decodeIfPresent(Int.self, forKey: .memoryMB) ?? d.memoryMB,
            pids: try c.decodeIfPresent(Int.self, forKey: .pids) ?? d.pids,
            fileSizeMB: try c.decodeIfPresent(Int.self, forKey: .fileSizeMB) ?? d.fileSizeMB,
            outputKB: try c.decodeIfPresent(Int.self, forKey: .outputKB) ?? d.outputKB,
            workspaceMB: try c.decodeIfPresent(Int.self, forKey: .workspaceMB) ?? d.workspaceMB,
            workspaceFiles: try c.decodeIfPresent(Int.self, forKey: .workspaceFiles) ?? d.workspaceFiles)
    }
}
