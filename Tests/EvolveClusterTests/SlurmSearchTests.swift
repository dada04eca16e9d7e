import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// `evolve search` with `executor: {name: slurm}` on the real one-node cluster: every sandboxed step is a
/// Slurm job, the scores are the same as on this machine, and no job is left behind.
/// Part of the serialized "Slurm cluster" suite, so that its jobs never wait behind another test's.
extension SlurmClusterTests {
    @Test func aSmokeSearchRunsItsStepsAsSlurmJobs() async throws {
        try clusterReady.get()
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-slurm-search")
        defer { Files.removeTree(folder) }
        let config = """
            archive: \(folder)/archive
            seed: \(repoRoot)/seeds/agents/smoke-agent
            suites: [smoke]
            suites_dir: \(repoRoot)/seeds/suites
            generations: 1
            children: 2
            workers: 2
            random_seed: 1
            operators: [{name: scripted, weight: 1.0, file: \(repoRoot)/configs/edits/smoke.json}]
            sandbox: {timeout_s: 20, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            executor: {name: slurm, shared_dir: \(folder)/shared, max_jobs: 4, evolve_path: \(evolveBinary)}
            """
        try Files.writeAtomically(Data(config.utf8), to: "\(folder)/run.yaml")
        let search = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["search", "--config", "\(folder)/run.yaml"])
        }
        #expect(search.status == 0, "search on Slurm: \(search.text)")
        #expect(search.text.contains("Steps run as Slurm jobs"), "\(search.text)")

        // The seed passes 2 of the smoke suite's 4 tasks, as it does locally.
        let list = try SlurmClient.runNow(evolveBinary, ["list", "--archive", "\(folder)/archive", "--json"])
        let variants = try JSONSerialization.jsonObject(with: Data(list.text.utf8)) as? [[String: Any]] ?? []
        #expect((variants.first { $0["id"] as? String == "v0" }?["score"] as? Double) == 0.5, "\(list.text)")
        #expect(variants.count == 3, "the seed and two children")

        // Its steps ran as jobs of this run (Slurm keeps finished jobs for a while), and none is left running.
        let jobs = try await SlurmClient().myJobs().filter { $0.name.hasPrefix("evolve.r1-") }
        let ours = jobs.filter { $0.name.contains(".v0.smoke.") }
        #expect(
            ours.contains { $0.name.hasSuffix(".agent") } && ours.contains { $0.name.hasSuffix(".check") },
            "jobs: \(jobs.map(\.name))")
        #expect(!jobs.contains { !($0.state?.isFinished ?? true) }, "a job outlived the search: \(jobs)")
        #expect(
            (Files.entries("\(folder)/shared/") ?? []).allSatisfy {
                (Files.entries("\(folder)/shared/\($0)") ?? []).isEmpty
            },
            "step folders are removed after their steps")
    }
}
