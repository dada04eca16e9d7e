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

    /// Gets the step ready to run without starting its command (see `Sandbox.prepare`); an executor that
    /// cannot build ahead runs the step when `run()` is called. A prepared step must be run or discarded.
    func prepare(_ spec: SandboxSpec) -> PreparedStep
}

extension StepExecutor {
    public func prepare(_ spec: SandboxSpec) -> PreparedStep { PreparedStep(executor: self, spec: spec) }
}

extension Sandbox: StepExecutor {}

/// A step made ready ahead of its turn (`StepExecutor.prepare`): run it once, or discard it.
public struct PreparedStep: Sendable {
    private let start: @Sendable () async throws -> SandboxResult
    private let drop: @Sendable () -> Void

    init(run: @escaping @Sendable () async throws -> SandboxResult, discard: @escaping @Sendable () -> Void) {
        start = run
        drop = discard
    }

    /// A step that is only run when asked (nothing is built ahead).
    public init(executor: any StepExecutor, spec: SandboxSpec) {
        self.init(run: { try await executor.run(spec) }, discard: {})
    }

    /// Lets the step's command start and returns how it ended, as `StepExecutor.run` does; cancelling the
    /// calling task kills the step's whole tree.
    public func run() async throws -> SandboxResult { try await start() }

    /// Kills the step's sandbox before its command ever ran (nothing happens for a step not built ahead).
    public func discard() { drop() }
}

extension SandboxSpec {
    /// The same spec with a label (the name a remote executor gives the step).
    public func labelled(_ label: String) -> SandboxSpec {
        var spec = self
        spec.label = label
        return spec
    }
}

/// A step that a remote executor ran but that ended without a result (its node failed, Slurm killed it, its
/// result went missing) after every retry: that one task is `crashed` with this reason, and the run goes on.
public struct StepLost: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
