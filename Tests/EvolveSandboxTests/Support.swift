import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Runs a shell line in a sandbox over a fresh workspace.
func sandboxed(
    _ line: String, limits: SandboxLimits = SandboxLimits(timeoutSeconds: 20), binds: [SandboxSpec.Bind] = [],
    environment: [String: String] = [:], in scratch: Scratch? = nil
) async throws -> SandboxResult {
    let scratch = try scratch ?? Scratch()
    let workspace = try scratch.makeFolder("workspace")
    let spec = SandboxSpec(
        command: .shell(line), workspace: workspace, binds: binds, environment: environment, limits: limits)
    return try await Sandbox().run(spec)
}
