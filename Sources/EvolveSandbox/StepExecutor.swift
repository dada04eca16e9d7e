/// Runs one sandboxed step (an agent step, a check step, a self-improvement run) somewhere, and says how it
/// ended.
///
/// `Sandbox` runs the step on this machine (the `local` executor, the default); `SlurmExecutor` (module
/// EvolveCluster) runs it as a Slurm job on a node, still under bubblewrap with the same limits. Callers hold
/// an `any StepExecutor` and never learn where the step ran. `SandboxSpec` and `SandboxResult` are `Codable`
/// so that a remote executor can pass them through files.
public protocol StepExecutor: Sendable {
    /// Runs the step and returns how it ended; throws only when the step could not be run at all (the sandbox
    /// could not be set up, or a remote step crashed with no result). Cancelling the calling task stops the
    /// step's whole process tree, wherever it runs.
    func run(_ spec: SandboxSpec) async throws -> SandboxResult
}

extension Sandbox: StepExecutor {}
