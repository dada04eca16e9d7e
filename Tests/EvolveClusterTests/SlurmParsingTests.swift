import EvolveSandbox
import EvolveSupport
import Foundation
import Testing

@testable import EvolveCluster

/// The parsing of Slurm's output and the executor's names and settings (no cluster needed).
@Suite("Slurm parsing")
struct SlurmParsingTests {
    @Test func squeueLinesBecomeJobs() {
        let output = """
            12|evolve.run1.v3.t2.agent|RUNNING|None|/shared/run1/v3.t2.agent
            13|evolve.run1.v3.t2.check|PENDING|Resources|(null)
            14|evolve.run1.odd|CANCELLED|None|/shared/a|b
            not a job line
            15|other|NOT_A_STATE|None|x
            """
        let jobs = SlurmJob.parse(squeue: output)
        #expect(jobs.map(\.id) == [12, 13, 14, 15])
        #expect(jobs[0].state == .running)
        #expect(jobs[0].comment == "/shared/run1/v3.t2.agent")
        #expect(jobs[1].reason == "Resources")
        #expect(jobs[1].comment == "")
        #expect(jobs[2].comment == "/shared/a|b")
        #expect(jobs[3].state == nil)
        #expect(jobs[3].stateText == "NOT_A_STATE")
        #expect(jobs[1].summary == "job 13 PENDING (reason: Resources)")
    }

    @Test func statesSayWhetherTheJobEndedAndWhetherToRetry() {
        #expect(SlurmJobState(parsing: "CANCELLED by 0") == .cancelled)
        #expect(SlurmJobState(parsing: "node_fail") == .nodeFail)
        #expect(SlurmJobState(parsing: "") == nil)
        for state in [SlurmJobState.pending, .running, .completing, .configuring, .suspended] {
            #expect(!state.isFinished, "\(state)")
        }
        for state in [SlurmJobState.completed, .failed, .cancelled, .timeout, .nodeFail, .outOfMemory] {
            #expect(state.isFinished, "\(state)")
        }
        #expect(SlurmJobState.nodeFail.isInfrastructureFailure)
        #expect(SlurmJobState.bootFail.isInfrastructureFailure)
        #expect(!SlurmJobState.timeout.isInfrastructureFailure)
        #expect(!SlurmJobState.cancelled.isInfrastructureFailure)
        #expect(!SlurmJobState.outOfMemory.isInfrastructureFailure)
    }

    @Test func scontrolFieldsAreRead() {
        let output = """
            JobId=163 JobName=evolve.r1.k1
               UserId=root(0) GroupId=root(0) MCS_label=N/A
               JobState=TIMEOUT Reason=TimeLimit Dependency=(null)
               Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15
            """
        let fields = parseScontrolFields(output)
        #expect(fields["JobId"] == "163")
        #expect(fields["JobState"] == "TIMEOUT")
        #expect(fields["Reason"] == "TimeLimit")
        #expect(fields["ExitCode"] == "0:15")
    }

    @Test func sbatchJobIDs() throws {
        #expect(try parseSbatchJobID("12\n") == 12)
        #expect(try parseSbatchJobID("77;cluster2") == 77)
        #expect(throws: EvolveError.self) { try parseSbatchJobID("sbatch: error: invalid partition") }
    }

    @Test func submissionKeepsTheEnvironmentAndRequeueingAway() {
        let submission = SlurmClient.Submission(
            name: "evolve.r.s", comment: "/shared/r/s", script: "/shared/r/s/job.sh", outputPath: "/shared/r/s/o",
            workingDirectory: "/shared/r/s", timeLimitMinutes: 3, partition: "debug", extraArguments: ["--qos=low"])
        let args = submission.arguments
        #expect(args.contains("--export=NONE"))
        #expect(args.contains("--no-requeue"))
        #expect(args.contains("--job-name=evolve.r.s"))
        #expect(args.contains("--partition=debug"))
        #expect(args.contains("--time=3"))
        #expect(args.last == "/shared/r/s/job.sh")
        #expect(args.firstIndex(of: "--qos=low")! < args.count - 1)
    }

    @Test func settingsDecodeFromTheConfigSpelling() throws {
        let json = #"{"shared_dir": "/shared/evolve", "max_jobs": 8, "sbatch_args": ["--qos=x"], "partition": "p"}"#
        let settings = try JSONDecoder().decode(SlurmSettings.self, from: Data(json.utf8))
        #expect(settings.maxJobs == 8)
        #expect(settings.retries == 1)
        #expect(settings.sbatchArgs == ["--qos=x"])
        #expect(settings.partition == "p")
        try settings.validate()
        #expect(throws: EvolveError.self) { try SlurmSettings(sharedDir: "relative/dir").validate() }
        #expect(throws: EvolveError.self) { try SlurmSettings(sharedDir: "/s", maxJobs: 0).validate() }
    }

    @Test func hostileNamesCannotLeaveTheRunFolder() throws {
        #expect(SlurmExecutor.safeName("../../etc/x") == "_.._.._etc_x")
        #expect(!SlurmExecutor.safeName("a/b c;rm -rf").contains("/"))
        #expect(SlurmExecutor.safeName("..").hasPrefix("_"))
        #expect(SlurmExecutor.safeName("v3.t2.agent") == "v3.t2.agent")
        let executor = try SlurmExecutor(settings: SlurmSettings(sharedDir: "/shared"), run: "run/../1")
        #expect(executor.runFolder == "/shared/run_.._1")
        #expect(executor.jobName(step: "s") == "evolve.run_.._1.s")
    }

    @Test func scriptQuotesHostilePaths() {
        #expect(shellQuoted("/a b/it's") == #"'/a b/it'\''s'"#)
    }
}
