import EvolveSupport
import EvolveTestSupport
import Foundation

@testable import EvolveCluster

/// Whether Slurm's daemons are installed here; the cluster tests are skipped (with this reason) otherwise.
let slurmInstalled =
    FileManager.default.isExecutableFile(atPath: "/usr/sbin/slurmctld")
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/sbatch")

/// Starts the one-node cluster once per test process (scripts/slurm-local.sh start is idempotent).
let clusterReady: Result<Void, EvolveError> = {
    do {
        let out = try SlurmClient.runNow(repoRoot + "/scripts/slurm-local.sh", ["start"])
        return out.status == 0
            ? .success(()) : .failure(EvolveError(.sandbox, "scripts/slurm-local.sh start failed: \(out.text)"))
    } catch let error as EvolveError {
        return .failure(error)
    } catch {
        return .failure(EvolveError(.sandbox, "\(error)"))
    }
}()

/// A shared folder and an executor on the local cluster for one test; the folder is removed afterwards.
final class ClusterFixture: @unchecked Sendable {
    let root: String
    let executor: SlurmExecutor

    init(retries: Int = 1, keepFolders: Bool = false, sbatchArgs: [String] = []) throws {
        try clusterReady.get()
        root = try Files.makeTemporaryDirectory(prefix: "evolve-cluster-test")
        let settings = SlurmSettings(
            sharedDir: root + "/shared", maxJobs: 4, sbatchArgs: sbatchArgs, retries: retries,
            evolvePath: evolveBinary, keepFolders: keepFolders)
        executor = try SlurmExecutor(settings: settings, run: "test-" + UUID().uuidString.prefix(8).lowercased())
    }

    deinit {
        // Jobs still alive (a failed test) are cancelled; the folder goes now, before the process may exit.
        let executor = self.executor
        Task { try? await executor.cancelRun() }
        Files.removeTree(root)
    }

    func workspace(_ files: [String: String] = [:]) throws -> String {
        let path = root + "/ws-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    /// Waits (at most `seconds`) until Slurm reports the job named `name` in a state that satisfies `ready`.
    func waitForJob(named name: String, seconds: Double = 60, until ready: (SlurmJob) -> Bool) async throws
        -> SlurmJob?
    {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let job = try await executor.client.jobs(named: [name]).last, ready(job) { return job }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return nil
    }
}

/// Writes `folder/run.yaml`: a search of the smoke seed on the smoke suite whose steps run on the local cluster
/// (archive `folder/archive`, shared folder `folder/shared`), its children made by replaying `edits`.
/// Returns the config's path.
func writeSlurmSmokeConfig(
    in folder: String, generations: Int, edits: String = repoRoot + "/configs/edits/smoke.json",
    timeoutSeconds: Int = 20
) throws -> String {
    let config = """
        archive: \(folder)/archive
        seed: \(repoRoot)/seeds/agents/smoke-agent
        suites: [smoke]
        suites_dir: \(repoRoot)/seeds/suites
        generations: \(generations)
        children: 2
        workers: 2
        random_seed: 1
        operators: [{name: scripted, weight: 1.0, file: \(edits)}]
        sandbox: {timeout_s: \(timeoutSeconds), memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
        executor: {name: slurm, shared_dir: \(folder)/shared, max_jobs: 4, evolve_path: \(evolveBinary)}
        """
    let path = "\(folder)/run.yaml"
    try Files.writeAtomically(Data(config.utf8), to: path)
    return path
}

/// Whether every run folder under a shared folder is empty: no step folder was left behind.
func stepFoldersAreGone(in shared: String) -> Bool {
    (Files.entries(shared) ?? []).allSatisfy { (Files.entries("\(shared)/\($0)") ?? []).isEmpty }
}
