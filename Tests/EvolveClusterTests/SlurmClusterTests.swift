import EvolveSandbox
import EvolveSupport
import Foundation
import Testing

@testable import EvolveCluster

/// The Slurm executor against the real one-node cluster (scripts/slurm-local.sh): jobs, bubblewrap on the
/// node, results back, crashes and cancellation. Skipped only when Slurm is not installed.
/// Serialized: the node runs two one-CPU jobs at a time, and tests that wait for their job to start must not
/// queue behind each other's.
@Suite(
    "Slurm cluster", .serialized, .enabled(if: slurmInstalled, "Slurm is not installed: scripts/setup.sh --deps-only"))
struct SlurmClusterTests {
    @Test func aStepRunsOnTheNodeInBubblewrapAndItsResultComesBack() async throws {
        let fixture = try ClusterFixture()
        let workspace = try fixture.workspace(["in.txt": "from the engine"])
        let spec = SandboxSpec(
            command: .shell("cat in.txt; echo; hostname; id -u; echo made > out.txt; exit 3"), workspace: workspace,
            limits: SandboxLimits(timeoutSeconds: 60), label: "v1.t1.agent")
        let result = try await fixture.executor.run(spec)
        #expect(result.termination == .exited)
        #expect(result.exitStatus == 3)
        #expect(result.output.contains("from the engine"))
        // bubblewrap's --hostname and --uid: the step ran in the sandbox, not bare in the job.
        #expect(result.output.contains("sandbox\n1000"), "\(result.output)")
        #expect((try? String(contentsOfFile: workspace + "/out.txt", encoding: .utf8)) == "made\n")
        // The result is read as soon as the node wrote it; the job then ends by itself.
        let name = fixture.executor.jobName(step: "v1.t1.agent")
        let job = try await fixture.waitForJob(named: name, seconds: 60) { $0.state?.isFinished == true }
        #expect(job?.state == .completed, "\(String(describing: job))")
        #expect(!Files.exists(fixture.executor.runFolder + "/v1.t1.agent"), "the step folder is removed")
        let mode =
            try FileManager.default.attributesOfItem(atPath: fixture.executor.runFolder)[.posixPermissions] as? Int
        #expect(mode == 0o700, "the run folder is private to the user")
    }

    @Test func aJobCancelledByAnAdministratorIsACrashWithItsState() async throws {
        let fixture = try ClusterFixture()
        let spec = SandboxSpec(
            command: .shell("sleep 300"), workspace: try fixture.workspace(), label: "v1.t2.agent")
        let name = fixture.executor.jobName(step: "v1.t2.agent")
        let admin = Task {
            let job = try await fixture.waitForJob(named: name) { $0.state == .running }
            if let job { await fixture.executor.client.cancel([job.id]) }
            return job != nil
        }
        let error = await #expect(throws: StepLost.self) { try await fixture.executor.run(spec) }
        #expect(try await admin.value)
        #expect(error?.description.contains("CANCELLED") == true, "\(String(describing: error))")
        // Not retried: one job of that name only.
        #expect(try await fixture.executor.client.jobs(named: [name]).count == 1)
    }

    @Test func aJobThatLeavesNoResultIsRetriedOnceThenACrash() async throws {
        let fixture = try ClusterFixture()
        // A node whose evolve binary does nothing: the job completes and no result.json appears.
        var settings = fixture.executor.settings
        settings.evolvePath = "/bin/true"
        let executor = try SlurmExecutor(settings: settings, run: fixture.executor.run)
        let spec = SandboxSpec(command: .shell("echo hi"), workspace: try fixture.workspace(), label: "v1.t5.agent")
        let error = await #expect(throws: StepLost.self) { try await executor.run(spec) }
        #expect(error?.description.contains("COMPLETED; then job") == true, "\(String(describing: error))")
        #expect(try await executor.client.jobs(named: [executor.jobName(step: "v1.t5.agent")]).count == 2)
    }

    /// Slurm counts time limits in minutes and checks them every 30 s: this test takes one to two minutes.
    @Test func aJobOverItsSlurmTimeLimitIsACrashWithTheState() async throws {
        let fixture = try ClusterFixture(sbatchArgs: ["--time=1"])
        // The sandbox would allow 10 minutes; the job's own limit (the last --time wins) is one minute.
        let spec = SandboxSpec(
            command: .shell("sleep 600"), workspace: try fixture.workspace(),
            limits: SandboxLimits(timeoutSeconds: 600), label: "v1.t4.agent")
        let error = await #expect(throws: StepLost.self) { try await fixture.executor.run(spec) }
        #expect(error?.description.contains("TIMEOUT") == true, "\(String(describing: error))")
        #expect(
            try await fixture.executor.client.jobs(named: [fixture.executor.jobName(step: "v1.t4.agent")]).count == 1)
    }

    @Test func aHostileStepIsContainedOnTheNodeAsLocally() async throws {
        let fixture = try ClusterFixture(keepFolders: true)
        let secret = fixture.root + "/shared/planted-secret.txt"
        try FileManager.default.createDirectory(atPath: fixture.root + "/shared", withIntermediateDirectories: true)
        try "TOP-SECRET-VALUE".write(toFile: secret, atomically: true, encoding: .utf8)
        let outside = fixture.root + "/shared/pwned"
        // The step tries to read the planted secret, to write beside its workspace (where result.json lives)
        // and into the shared folder, and to forge its own result file.
        let line = """
            cat \(secret) 2>&1; cat ../result.json 2>&1; cat /root/.bash_history 2>&1
            echo forged > \(outside) 2>&1; echo forged > ../result.json 2>&1
            echo '{"host":"x","result":null,"error":"forged"}' > /work/../result.json 2>&1
            ls / ; echo end-of-step
            """
        let spec = SandboxSpec(command: .shell(line), workspace: try fixture.workspace(), label: "v9.hostile.agent")
        let result = try await fixture.executor.run(spec)
        #expect(result.output.contains("end-of-step"), "the step ran: \(result.output)")
        #expect(!result.output.contains("TOP-SECRET-VALUE"))
        #expect(!Files.exists(outside))
        let file = try #require(StepFolder(path: fixture.executor.runFolder + "/v9.hostile.agent").readResult())
        #expect(file.error == nil)
        #expect(file.result == result, "result.json is the engine's, not the step's")
    }

    @Test func cancellingTheCallerCancelsTheJob() async throws {
        let fixture = try ClusterFixture()
        let spec = SandboxSpec(command: .shell("sleep 300"), workspace: try fixture.workspace(), label: "v1.t3.agent")
        let name = fixture.executor.jobName(step: "v1.t3.agent")
        let step = Task { try await fixture.executor.run(spec) }
        let running = try await fixture.waitForJob(named: name) { $0.state == .running }
        #expect(running != nil)
        step.cancel()
        let result = try await step.value
        #expect(result.termination == .killed)
        let ended = try await fixture.waitForJob(named: name, seconds: 30) { $0.state?.isFinished == true }
        #expect(ended?.state == .cancelled, "\(String(describing: ended))")
    }

    @Test func theEndOfASearchCancelsEveryJobOfItsRun() async throws {
        let fixture = try ClusterFixture()
        let names = ["v5.a", "v5.b"].map { fixture.executor.jobName(step: $0) }
        var steps: [Task<SandboxResult, Error>] = []
        for label in ["v5.a", "v5.b"] {
            let spec = SandboxSpec(command: .shell("sleep 300"), workspace: try fixture.workspace(), label: label)
            steps.append(Task { try await fixture.executor.run(spec) })
        }
        for name in names {
            #expect(try await fixture.waitForJob(named: name) { $0.state == .running || $0.state == .pending } != nil)
        }
        try await fixture.executor.cancelRun()
        for name in names {
            let ended = try await fixture.waitForJob(named: name, seconds: 30) { $0.state?.isFinished == true }
            #expect(ended?.state == .cancelled, "\(String(describing: ended))")
        }
        for step in steps { _ = try? await step.value }
        #expect(try await fixture.executor.jobsOfRun().allSatisfy { $0.state?.isFinished == true })
    }

    @Test func aResumedEngineCancelsLiveJobsAndReusesFinishedResults() async throws {
        let fixture = try ClusterFixture(keepFolders: true)
        // Before the "crash": one step finished (its folder kept), one still running.
        let done = SandboxSpec(command: .shell("echo first-run"), workspace: try fixture.workspace(), label: "v2.done")
        let first = try await fixture.executor.run(done)
        let live = SandboxSpec(command: .shell("sleep 300"), workspace: try fixture.workspace(), label: "v2.live")
        let orphan = Task { try await fixture.executor.run(live) }
        let liveName = fixture.executor.jobName(step: "v2.live")
        #expect(try await fixture.waitForJob(named: liveName) { $0.state == .running } != nil)

        // The resumed engine: a new executor of the same run, as after kill -9 and --resume.
        let resumed = try SlurmExecutor(settings: fixture.executor.settings, run: fixture.executor.run)
        let recovery = try await resumed.recover()
        #expect(recovery.cancelled.map(\.name) == [liveName])
        #expect(recovery.finished.map(\.name).contains(resumed.jobName(step: "v2.done")))
        let again = try await resumed.run(done)
        #expect(again == first)
        #expect(try await resumed.client.jobs(named: [resumed.jobName(step: "v2.done")]).count == 1, "not resubmitted")
        orphan.cancel()
        _ = try? await orphan.value
    }
}
