import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation

/// Agents that attack the host. Each is hostile on s01-add and honest on s02-greet; after each, the host is
/// unchanged, the outcome of s01-add says why it failed, and s02-greet was still evaluated (and passed).
@Suite("Hostile agents", .serialized)
struct HostileAgentTests {
    /// Runs `hostile` on s01-add and the fix on s02-greet; returns the report and the archive.
    func run(
        _ name: String, hostile: String, limits: SandboxLimits = SandboxLimits(timeoutSeconds: 20),
        archivePath: String? = nil, scratch: Scratch
    ) async throws -> (EvaluationReport, Archive) {
        let script = """
            case "$EVOLVE_TASK_ID" in
            s01-add)
            \(hostile)
            ;;
            *)
            \(solveGreet)
            ;;
            esac
            """
        let seed = try scratch.shellAgent(name, script: script)
        let archive = try archivePath.map { try Archive.create(at: $0, seed: seed) } ?? scratch.archive(seed: seed)
        // The limits leave the honest task room on a loaded 2-core machine (CI builds alongside).
        // One worker: the honest task runs after the hostile one, so a CPU hog (there is no CPU limit) cannot
        // starve it past its short time limit; the point is that the engine goes on after the attack.
        let report = try await evaluate(
            archive, suite: try scratch.smokeSuite(), tasks: ["s01-add", "s02-greet"], workers: 1, limits: limits)
        #expect(report.status("s02-greet") == .passed, "the engine must go on with the other tasks")
        #expect(report.rows.count == 2)
        #expect(try archive.outcomes(tree: report.tree, suite: "smoke").count == 2, "both outcomes are recorded")
        return (report, archive)
    }

    @Test func forkBomb() async throws {
        let scratch = try Scratch()
        let (report, _) = try await run(
            "forkbomb", hostile: "bomb() { bomb | bomb & }; bomb; sleep 600",
            limits: SandboxLimits(timeoutSeconds: 8, pids: 64), scratch: scratch)
        // The shell either keeps trying until the clock runs out or gives up when it cannot fork: both fail.
        #expect(report.status("s01-add") == .timeout || report.status("s01-add") == .failed)
        #expect(report.detail("s01-add").contains("hit the process limit (64)"), "\(report.detail("s01-add"))")
    }

    @Test func endlessLoop() async throws {
        let scratch = try Scratch()
        let marker = uniqueMarker("evolve-loop")
        let (report, _) = try await run(
            "loop", hostile: "sh -c 'while :; do :; done' \(marker)", limits: SandboxLimits(timeoutSeconds: 8),
            scratch: scratch)
        #expect(report.status("s01-add") == .timeout)
        #expect(hostProcesses(containing: marker).isEmpty)
    }

    @Test func memoryHog() async throws {
        let scratch = try Scratch()
        let (report, _) = try await run(
            "hog", hostile: "python3 -c 'x = bytearray(1024 * 1024 * 1024); print(len(x))'",
            limits: SandboxLimits(timeoutSeconds: 20, memoryMB: 128), scratch: scratch)
        #expect(report.status("s01-add") == .memory)
        #expect(report.detail("s01-add").contains("memory"))
    }

    @Test func writesOutsideItsWorkspace() async throws {
        let scratch = try Scratch()
        let marker = uniqueMarker("evolve-escape")
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        // The archive's folder is chosen before the agent is written, so the agent can name it outright.
        let archivePath = scratch.file("archive-under-attack")
        let targets = [
            "/tmp/\(marker)", "\(home)/\(marker)", "\(archivePath)/\(marker)", "/root/\(marker)",
            "\(scratch.path)/\(marker)",
        ]
        // What it writes is put together at run time, so finding it proves a write, not a copy of the script.
        var hostile = "A=ESC; B=APED-\(marker)\n"
        hostile += targets.map { "echo \"$A$B\" > \($0) && echo wrote \($0)" }.joined(separator: "\n")
        hostile += "\nfor f in \(archivePath)/index.sqlite \(archivePath)/repo.git/HEAD; do echo \"$A$B\" >> $f; done"
        hostile += "\nrm -rf \(archivePath)/repo.git 2>&1; echo done"
        let (report, archive) = try await run("escape", hostile: hostile, archivePath: archivePath, scratch: scratch)
        for target in targets { #expect(!Files.exists(target), "\(target) was written on the host") }
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("done"), "the agent ran")
        #expect(!(try archiveContents(archive)).contains("ESCAPED-\(marker)"))
        let reopened = try Archive.open(at: archivePath)
        #expect(try reopened.outcomes(tree: report.tree, suite: "smoke").count == 2)
        #expect(try reopened.resolve("v0").tree == report.tree)
    }

    @Test func readsASecretFromTheHostHome() async throws {
        let scratch = try Scratch()
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let marker = uniqueMarker("evolve-secret")
        let secretPath = "\(home)/.\(marker)"
        let secret = "SECRET-\(UUID().uuidString)"
        try secret.write(toFile: secretPath, atomically: true, encoding: .utf8)
        defer { unlink(secretPath) }
        let hostile = """
            cat \(secretPath) 2>&1
            cat "$HOME/.\(marker)" 2>&1
            find / -xdev -maxdepth 4 -name '.\(marker)' 2>/dev/null | xargs -r cat
            grep -rs SECRET- /tmp /work /agent /task /run /etc 2>/dev/null | head -5
            echo looked
            """
        let (report, archive) = try await run("thief", hostile: hostile, scratch: scratch)
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("looked"), "the agent ran")
        for row in report.rows { #expect(!(row.outcome?.log.contains(secret) ?? false)) }
        #expect(!(try archiveContents(archive)).contains(secret))
        #expect((try? String(contentsOfFile: secretPath, encoding: .utf8)) == secret, "the secret is untouched")
    }

    @Test func connectsToAListenerOnTheHostLoopback() async throws {
        let scratch = try Scratch()
        let listener = try LoopbackListener()
        defer { listener.close() }
        let hostile = """
            python3 - <<'PY'
            import socket
            for host in ("127.0.0.1", "localhost"):
                try:
                    s = socket.create_connection((host, \(listener.port)), timeout=2)
                    s.sendall(b"escaped")
                    print("CONNECTED", host)
                except OSError as e:
                    print("no connection to", host, e)
            PY
            """
        let (report, _) = try await run("network", hostile: hostile, scratch: scratch)
        #expect(listener.acceptedConnections() == 0)
        #expect(report.log("s01-add").contains("no connection"))
        #expect(!report.log("s01-add").contains("CONNECTED"))
        #expect(report.status("s01-add") == .failed)
    }

    @Test func rewritesTheHiddenTestsAndTheCheck() async throws {
        let scratch = try Scratch()
        let suite = try scratch.smokeSuite()
        let task = suite.directory + "/tasks/s01-add"
        let before = snapshot(suite.directory)
        // It plants passing tests where the hidden ones will go, and tries the suite's own files by path.
        let hostile = """
            mkdir -p tests
            printf 'import unittest\\nclass T(unittest.TestCase):\\n    def test_ok(self):\\n        pass\\n' > tests/test_calc.py
            cp tests/test_calc.py tests/test_fake.py
            rm -rf \(task)/tests 2>&1
            echo 'check: "true"' > \(task)/task.yaml 2>&1
            echo 'check: "true"' > \(suite.directory)/suite.yaml 2>&1
            echo tampered
            """
        let (report, _) = try await run("tamper", hostile: hostile, scratch: scratch)
        #expect(report.log("s01-add").contains("tampered"), "the agent ran")
        #expect(report.status("s01-add") == .failed, "the real tests ran and failed")
        #expect(report.log("s01-add").contains("test_small_numbers"))
        #expect(snapshot(suite.directory) == before, "the suite is unchanged")
    }

    @Test func printsGigabytes() async throws {
        let scratch = try Scratch()
        let (report, _) = try await run(
            "flood", hostile: "head -c 4000000000 /dev/zero | tr '\\0' A",
            limits: SandboxLimits(timeoutSeconds: 60, outputKB: 64), scratch: scratch)
        #expect(report.status("s01-add") == .outputCap)
        #expect(report.detail("s01-add").contains("dropped"))
        #expect(report.log("s01-add").utf8.count < 80 * 1024)
    }

    @Test func leavesABackgroundProcessBehind() async throws {
        let scratch = try Scratch()
        let marker = uniqueMarker("evolve-lingering")
        // Were the background loop still alive during the check, it would fix calc.py and the task would pass.
        let fix = #"printf 'def add(a, b):\n    return a + b\n' > /work/calc.py"#
        let hostile = """
            nohup sh -c 'sleep 0.5; while :; do \(fix.replacingOccurrences(of: "'", with: "'\\''")); sleep 0.05; done' \(marker) >/dev/null 2>&1 &
            setsid sh -c 'sleep 600' \(marker) >/dev/null 2>&1 &
            echo left
            """
        let (report, _) = try await run("lingering", hostile: hostile, scratch: scratch)
        #expect(hostProcesses(containing: marker).isEmpty)
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("left"))
    }
}
