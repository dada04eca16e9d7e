import EvolveSandbox
import EvolveSupport
import Foundation
import Testing

@testable import EvolveApp

/// `sandbox.workspace_mb` and `sandbox.workspace_files` bound the engine's copy of a workspace an agent wrote.
@Suite struct WorkspaceLimitConfigTests {
    let base = "seed: s\nsuites: [demo]\noperators: [{name: crossover}]\n"

    @Test func theKeysAreReadAndDefaulted() throws {
        let set = try ConfigLoader.parse(
            base + "sandbox: {file_size_mb: 8, workspace_mb: 32, workspace_files: 500}\n", path: "c.yaml",
            environment: [:])
        #expect(set.sandbox.workspaceMB == 32)
        #expect(set.sandbox.workspaceFiles == 500)
        #expect(set.sandbox.fileSizeMB == 8)
        let unset = try ConfigLoader.parse(base + "sandbox: {timeout_s: 5}\n", path: "c.yaml", environment: [:])
        #expect(unset.sandbox.workspaceMB == 1024)
        #expect(unset.sandbox.workspaceFiles == 100_000)
    }

    @Test func aTypoOrANonPositiveValueIsRefused() throws {
        #expect(throws: EvolveError.self) {
            try ConfigLoader.parse(base + "sandbox: {workspace_fils: 5}\n", path: "c.yaml", environment: [:])
        }
        let zero = try ConfigLoader.parse(base + "sandbox: {workspace_mb: 0}\n", path: "c.yaml", environment: [:])
        #expect(throws: EvolveError.self) { try zero.sandbox.validate() }
        #expect(throws: EvolveError.self) { try SandboxLimits(workspaceFiles: -1).validate() }
        #expect(throws: Never.self) { try SandboxLimits().validate() }
    }
}
