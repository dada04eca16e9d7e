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
        let config = try writeSlurmSmokeConfig(in: folder, generations: 1)
        let search = try await offThePool {
            try SlurmClient.runNow(evolveBinary, ["search", "--config", config])
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
            stepFoldersAreGone(in: "\(folder)/shared"),
            "step folders are removed after their steps")
    }
}
