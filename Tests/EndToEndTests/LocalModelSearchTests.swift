import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

let localModelInstalled =
    FileManager.default.isExecutableFile(atPath: repoRoot + "/.tools/bin/llama-server")
    && FileManager.default.fileExists(atPath: repoRoot + "/.tools/models/SmolLM2-135M-Instruct.Q4_1.gguf")

/// The real model path, end to end: `evolve search` on the embedded default with the local llama-server
/// (installed by scripts/setup.sh, so CI runs it).
@Suite(.enabled(if: localModelInstalled && hasBubblewrap, "needs the local model (scripts/setup.sh installs it)"))
struct LocalModelSearchTests {
    @Test func aShortSearchOnTheEmbeddedDefaultWithTheRealModel() async throws {
        let scratch = try Files.makeTemporaryDirectory(prefix: "evolve-local")
        defer { Files.removeTree(scratch) }
        let archive = scratch + "/archive"
        let result = try await evolve(["search", "--generations", "1", "--children", "2", "--archive", archive])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.stderr + result.stdout).contains("Local model ready"))
        #expect(result.stdout.contains("Run r1 finished"))
        // Every child was made by the model (valid or not, with its reason), and every call is recorded.
        let rows = try run([
            "sqlite3", archive + "/index.sqlite",
            "SELECT count(*), sum(status = 'invalid') FROM variants WHERE generation = 1",
        ]).out
        #expect(rows.hasPrefix("2|"))
        let calls = try run([
            "sqlite3", archive + "/index.sqlite",
            "SELECT count(*), sum(tokens_out > 0 OR tokens_in > 0) FROM llm_calls WHERE purpose = 'meta'",
        ]).out
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        #expect(calls.first ?? 0 >= 2)
        // The server is stopped with the search (its log line, on either stream).
        #expect((result.stderr + result.stdout).contains("llama-server stopped"))
    }
}
