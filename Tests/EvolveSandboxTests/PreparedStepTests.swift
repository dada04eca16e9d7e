import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Sandboxes built ahead of their step and held before the command starts (`Sandbox.prepare`).
@Suite("Prepared sandbox steps", .enabled(if: hasBubblewrap, "bubblewrap is not installed"))
struct PreparedStepTests {
    func spec(_ line: String, _ workspace: String, timeout: Double = 20) -> SandboxSpec {
        SandboxSpec(command: .shell(line), workspace: workspace, limits: SandboxLimits(timeoutSeconds: timeout))
    }

    /// Waits without holding a thread of the cooperative pool (see docs/architecture.md, "Tests and time").
    func pause(_ seconds: Double) async {
        _ = try? await offThePool { usleep(UInt32(seconds * 1_000_000)) }
    }

    @Test func aHeldStepSeesWhatItsFoldersHoldWhenItRuns() async throws {
        let scratch = try Scratch()
        let workspace = try scratch.makeFolder("workspace")
        let step = Sandbox().prepare(spec("cat note.txt; ls", workspace))
        await pause(0.5)  // built and held by now
        try scratch.write("workspace/note.txt", "written after the sandbox was built\n")
        let result = try await step.run()
        #expect(result.succeeded, "\(result.output)")
        #expect(result.output.contains("written after the sandbox was built"))
    }

    @Test func aHeldStepsTimeCountsFromItsStart() async throws {
        let scratch = try Scratch()
        let step = Sandbox().prepare(spec("sleep 0.3; echo done", try scratch.makeFolder("workspace"), timeout: 1))
        await pause(1.5)  // longer than its time limit, all of it held
        let result = try await step.run()
        #expect(result.termination == .exited && result.output.contains("done"), "\(result.summary(limits: .standard))")
        #expect(result.wallSeconds < 1.2)
    }

    @Test func aDiscardedStepNeverRunsAndLeavesNoProcess() async throws {
        let scratch = try Scratch()
        let workspace = try scratch.makeFolder("workspace-discarded")
        let step = Sandbox().prepare(spec("touch ran", workspace))
        // Built on a slot of its own, which a full test run may keep busy for a while: wait until it is held.
        var held = Self.processesNaming(workspace)
        for _ in 0..<600 where held == 0 {
            await pause(0.1)
            held = Self.processesNaming(workspace)
        }
        #expect(held > 0, "the held sandbox is there before it is discarded")
        step.discard()
        var left = Self.processesNaming(workspace)
        for _ in 0..<50 where left > 0 {
            await pause(0.1)
            left = Self.processesNaming(workspace)
        }
        #expect(left == 0, "bubblewrap is gone")
        #expect(!Files.exists("\(workspace)/ran"))
    }

    @Test func aCancelledRunKillsTheStep() async throws {
        let scratch = try Scratch()
        let step = Sandbox().prepare(spec("sleep 30", try scratch.makeFolder("workspace")))
        let running = Task { try await step.run() }
        await pause(0.5)
        running.cancel()
        let result = try await running.value
        #expect(result.termination == .killed)
        #expect(result.wallSeconds < 10)
    }

    /// How many processes have `text` in their command line (bubblewrap names the workspace in its arguments).
    static func processesNaming(_ text: String) -> Int {
        (Files.entries("/proc") ?? []).filter { entry in
            guard entry.allSatisfy(\.isNumber),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }.count
    }
}
