import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveApp
@testable import EvolveCluster

/// How `evolve status` shows a run's Slurm jobs (issue #14), from given jobs (no cluster needed).
@Suite("Status jobs")
struct StatusJobsTests {
    let prefix = "evolve.r1-1a2b3c4d."

    func status(jobs: RunJobs?) -> RunStatus {
        RunStatus(
            run: "r1", state: .finished, alive: false, generation: 2, generations: 3, best: nil, costUSD: 0.5,
            variants: 4, evaluations: 12, updatedAt: Date(timeIntervalSince1970: 0), jobs: jobs)
    }

    @Test func jobsAreCountedByStateAndListedOneALine() {
        let jobs = RunJobs(
            jobs: [
                SlurmJob(
                    id: 7, name: prefix + "v3.smoke.t1.agent", state: .running, stateText: "RUNNING",
                    reason: "None", comment: "", node: "node1", elapsed: "0:42"),
                SlurmJob(
                    id: 12, name: prefix + "v3.smoke.t2.check", state: .pending, stateText: "PENDING",
                    reason: "Resources", comment: "", node: "", elapsed: "0:00"),
                SlurmJob(
                    id: 13, name: prefix + "v4.t1.agent", state: .running, stateText: "RUNNING",
                    reason: "None", comment: "", node: "node2", elapsed: "1:02:03"),
            ], namePrefix: prefix)
        let text = status(jobs: jobs).text()
        #expect(
            text.hasSuffix(
                """
                  last update \(Date(timeIntervalSince1970: 0))
                  jobs: 1 pending, 2 running
                    7   RUNNING  v3.smoke.t1.agent  node1  0:42
                    12  PENDING  v3.smoke.t2.check  –      0:00     (Resources)
                    13  RUNNING  v4.t1.agent        node2  1:02:03

                """), "\(text)")
    }

    @Test func aRunOnThisMachineShowsNoJobsLine() {
        let text = status(jobs: nil).text()
        #expect(
            text == """
                Run r1: finished
                  generation 2 of 3
                  best –
                  cost $0.5000 · 4 variants · 12 task evaluations
                  last update \(Date(timeIntervalSince1970: 0))

                """)
        #expect(!status(jobs: nil).json().contains("jobs"))
    }

    @Test func noJobsAndAFailureToListThemAreSaidSo() {
        #expect(RunJobs(jobs: [], namePrefix: prefix).text == "  jobs: none queued or running\n")
        let failed = RunJobs(jobs: [], failure: "squeue failed: slurm_load_jobs error", namePrefix: prefix)
        let text = status(jobs: failed).text()
        #expect(text.hasSuffix("  jobs could not be listed: squeue failed: slurm_load_jobs error\n"), "\(text)")
        let json = status(jobs: failed).json()
        #expect(json.hasSuffix(#""jobs":[],"jobs_error":"squeue failed: slurm_load_jobs error"}"#), "\(json)")
    }

    @Test func aJobNameNeverWritesControlCharactersToTheTerminal() {
        let jobs = RunJobs(
            jobs: [
                SlurmJob(
                    id: 1, name: prefix + "x\u{1B}[2Jy", state: .running, stateText: "RUNNING",
                    reason: "None", comment: "", node: "n\u{7}", elapsed: "0:01")
            ],
            namePrefix: prefix)
        #expect(!jobs.text.contains("\u{1B}") && !jobs.text.contains("\u{7}"), "\(jobs.text)")
    }

    @Test func whenSqueueFailsStatusSaysWhyAndShowsTheRest() async throws {
        let scratch = try Scratch()
        let (archive, _) = try startedRun(in: scratch, executor: "{name: slurm, shared_dir: \(scratch.path)/shared}")
        _ = try scratch.write("bin/sbatch", "#!/bin/sh\nexit 1\n", executable: true)
        _ = try scratch.write(
            "bin/squeue", "#!/bin/sh\necho 'slurm_load_jobs error: Unable to contact'\nexit 1\n",
            executable: true)
        let status = try await RunStatus.read(archive, slurm: SlurmClient(binDirectory: scratch.file("bin")))
        #expect(status.run == "r1" && status.variants == 1)
        #expect(status.text().contains("  last update "))
        let why = "squeue failed: slurm_load_jobs error: Unable to contact"
        #expect(status.jobs?.failure == why)
        #expect(status.text().hasSuffix("  jobs could not be listed: \(why)\n"), "\(status.text())")
    }

    @Test func aSlurmCommandThatHangsIsStoppedAndTheCallFailsSayingSo() async throws {
        let scratch = try Scratch()
        _ = try scratch.write("bin/squeue", "#!/bin/sh\nsleep 60\n", executable: true)
        let client = SlurmClient(binDirectory: scratch.file("bin"), commandTimeout: .milliseconds(500))
        await #expect {
            _ = try await client.myJobs()
        } throws: { error in
            let text = (error as? EvolveError).map { "\($0.message) \($0.hint ?? "")" } ?? ""
            return text.contains("squeue --me did not finish") && text.contains("scontrol ping")
        }
    }

    @Test func aSlurmCommandThatLeavesADaemonHoldingItsOutputDoesNotHoldTheCall() async throws {
        let scratch = try Scratch()
        // Prints nothing (no job), leaving a child that keeps standard output open for ten minutes. Were the call
        // to wait for that pipe's end, the time limit would stop it and the call would fail.
        _ = try scratch.write(
            "bin/squeue", "#!/bin/sh\nsleep 600 &\necho $! > \(scratch.path)/daemon\n", executable: true)
        let client = SlurmClient(binDirectory: scratch.file("bin"), commandTimeout: .seconds(100))
        let jobs = try await client.myJobs()
        #expect(jobs.isEmpty)
        if let text = try? String(contentsOfFile: "\(scratch.path)/daemon", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
    }

    @Test func aLocalRunListsNoJobs() async throws {
        let scratch = try Scratch()
        let (archive, _) = try startedRun(in: scratch, executor: "{name: local}")
        // A squeue that would fail: it is never run for a local run.
        _ = try scratch.write("bin/squeue", "#!/bin/sh\nexit 1\n", executable: true)
        let status = try await RunStatus.read(archive, slurm: SlurmClient(binDirectory: scratch.file("bin")))
        #expect(status.jobs == nil)
        #expect(!status.json().contains("jobs"))
    }

    /// A run is running while a process holds its archive's writer lock, not while some process has the pid it
    /// recorded: after a kill -9 or a restart, that pid may be another program's.
    @Test func aRunWhoseWriterIsGoneIsStoppedWhateverPidItRecorded() async throws {
        let scratch = try Scratch()
        let path = try {
            let (archive, _) = try startedRun(in: scratch, executor: "{name: local}")
            let run = try #require(try archive.lastRun()).id
            try archive.updateRun(run, state: .running, progress: #"{"generation":1,"generations":3,"pid":1}"#)
            return archive.path
        }()  // the archive is closed here: its writer lock is let go, as at the end of a killed search
        let reader = try Archive.open(at: path)
        // A process another test thread is starting shares this process's descriptors until it execs (then
        // the lock's close-on-exec descriptor goes): allow for that moment on a loaded machine.
        var gone = try await RunStatus.read(reader)
        for _ in 0..<100 where gone.alive {
            _ = try? await offThePool { usleep(100_000) }
            gone = try await RunStatus.read(reader)
        }
        #expect(gone.state == .running && !gone.alive)
        #expect(gone.stateText.hasPrefix("stopped (the process is gone"), "\(gone.stateText)")

        try Files.writeAtomically(Data("pid 4242, evolve search\n".utf8), to: path + "/writer.lock")
        let holder = try holdLockFromAnotherProcess(path + "/writer.lock")
        defer { holder.stop() }
        let live = try await RunStatus.read(reader)
        // The pid is the one the kernel's lock table shows holding the lock, not one written into the file.
        #expect(live.alive && live.stateText == "running (pid \(holder.pid))", "\(live.stateText)")
        #expect(live.json().contains(#""pid":\#(holder.pid)"#), "\(live.json())")
    }

    @Test func queueLinesCarryTheNodeAndTheElapsedTime() {
        let jobs = SlurmJob.parse(
            queue: """
                7|evolve.r1-1a.v3.agent|RUNNING|None|node1|0:42|/shared/r1-1a/v3.agent
                8|evolve.r1-1a.v3.check|PENDING|Priority||0:00|(null)
                not a job line
                """)
        #expect(jobs.map(\.id) == [7, 8])
        #expect(jobs[0].node == "node1" && jobs[0].elapsed == "0:42" && jobs[0].comment == "/shared/r1-1a/v3.agent")
        #expect(jobs[1].node == "" && jobs[1].reason == "Priority" && jobs[1].comment == "")
    }
}

/// An archive in `scratch` whose last run was started with this `executor` block (a YAML flow mapping) and the
/// smoke suite, as `evolve search` records it.
func startedRun(in scratch: Scratch, executor: String) throws -> (Archive, RunConfig) {
    let config = try ConfigLoader.parse(
        """
        archive: \(scratch.path)/archive
        seed: \(smokeAgentPath)
        suites: [smoke]
        suites_dir: \(repoRoot)/seeds/suites
        operators: [{name: scripted, weight: 1.0, file: \(repoRoot)/configs/edits/smoke.json}]
        executor: \(executor)
        """, path: scratch.file("run.yaml"))
    let archive = try Archive.create(at: config.archive, seed: config.seed)
    _ = try archive.startRun(config: String(decoding: try JSONEncoder().encode(config), as: UTF8.self))
    return (archive, config)
}

/// `evolve status --json` on a run whose config says `executor: {name: slurm}`, with one of its steps a
/// job running on the one-node cluster. Part of the serialized "Slurm cluster" suite.
extension SlurmClusterTests {
    @Test func statusListsTheRunsJobsWithTheirStates() async throws {
        try clusterReady.get()
        let scratch = try Scratch(prefix: "evolve-slurm-status")
        let executorBlock =
            "{name: slurm, shared_dir: \(scratch.path)/shared, max_jobs: 2, "
            + "evolve_path: \(evolveBinary)}"
        let (archive, config) = try startedRun(in: scratch, executor: executorBlock)
        let runID = try #require(try archive.lastRun()).id
        guard case .slurm(let settings) = config.executor else {
            Issue.record("not a slurm config")
            return
        }

        // A step of this run, as the search would submit it, that sleeps until it is cancelled.
        let executor = try SlurmExecutor(
            settings: settings, run: SearchEnvironment.clusterRunName(runID, archive: archive.path))
        let workspace = try scratch.makeFolder("ws")
        let step = Task {
            try await executor.run(
                SandboxSpec(
                    command: .shell("sleep 120"), workspace: workspace, limits: SandboxLimits(timeoutSeconds: 150),
                    label: "v0.smoke.t1.agent"))
        }
        do {
            try await expectStatusListsTheJob(of: executor, archive: config.archive)
        } catch {
            step.cancel()
            _ = await step.result
            throw error
        }
        step.cancel()
        _ = await step.result
        try await executor.cancelRun()
        withExtendedLifetime(scratch) {}
    }

    /// Waits until the step's job runs, then checks what `evolve status` (JSON and text) says of it.
    func expectStatusListsTheJob(of executor: SlurmExecutor, archive: String) async throws {
        let name = executor.jobName(step: "v0.smoke.t1.agent")
        let deadline = Date().addingTimeInterval(60)
        var running: SlurmJob?
        while running == nil, Date() < deadline {
            running = try await executor.client.jobs(named: [name]).first { $0.state == .running }
            if running == nil { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        let job = try #require(running, "the step's job never started")

        let out = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["status", "--archive", archive, "--json"])
        }
        #expect(out.status == 0, "\(out.text)")
        let object = try JSONSerialization.jsonObject(with: Data(out.text.utf8)) as? [String: Any] ?? [:]
        let jobs = object["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.count == 1, "\(out.text)")
        #expect(jobs.first?["id"] as? Int == job.id)
        #expect(jobs.first?["state"] as? String == "RUNNING")
        #expect(jobs.first?["label"] as? String == "v0.smoke.t1.agent")
        #expect((jobs.first?["node"] as? String)?.isEmpty == false, "\(out.text)")
        #expect(object["jobs_error"] == nil)

        let text = try await offThePool { try SlurmClient.runNow(evolveBinary, ["status", "--archive", archive]) }
        #expect(text.text.contains("  jobs: 1 running\n    \(job.id)  RUNNING  v0.smoke.t1.agent  "), "\(text.text)")
    }
}
