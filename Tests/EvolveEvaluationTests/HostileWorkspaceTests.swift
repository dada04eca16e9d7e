import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation

/// Agents whose weapon is what they leave in the workspace. Each is hostile on s01-add and honest on s02-greet;
/// after each, the evaluation finished with both outcomes recorded (s01-add with a reason), s02-greet passed,
/// and no task folder holding what the agent made is left in the temporary folder.
@Suite("Hostile workspaces", .serialized)
struct HostileWorkspaceTests {
    /// The host's temporary folder, where the engine makes its task folders (`evolve-task.*`).
    let temporary = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"

    /// Runs `hostile` (a Python program, run from the workspace, with `MARK` set to a unique folder name that
    /// everything it makes lives under) on s01-add and the fix on s02-greet.
    func run(
        _ name: String, python: String, limits: SandboxLimits = SandboxLimits(timeoutSeconds: 30),
        scratch: Scratch
    ) async throws -> EvaluationReport {
        let mark = uniqueMarker("evolve-hostile")
        let script = """
            case "$EVOLVE_TASK_ID" in
            s01-add)
            MARK=\(mark) python3 - <<'PY'
            import os, socket, sys
            MARK = os.environ["MARK"]
            \(python)
            print("left", MARK)
            PY
            ;;
            *)
            \(solveGreet)
            ;;
            esac
            """
        let seed = try scratch.shellAgent(name, script: script)
        let archive = try scratch.archive(seed: seed)
        let report = try await evaluate(
            archive, suite: try scratch.smokeSuite(), tasks: ["s01-add", "s02-greet"], workers: 1, limits: limits)
        #expect(report.log("s01-add").contains("left \(mark)"), "the agent ran: \(report.log("s01-add"))")
        #expect(report.status("s02-greet") == .passed, "the engine must go on with the other tasks")
        #expect(try archive.outcomes(tree: report.tree, suite: "smoke").count == 2, "both outcomes are recorded")
        #expect(!report.detail("s01-add").isEmpty, "the outcome says why")
        #expect(leftovers(mark).isEmpty, "task folders left behind: \(leftovers(mark))")
        return report
    }

    /// Task folders in the temporary folder that still hold something the agent marked with `mark`.
    func leftovers(_ mark: String) -> [String] {
        let folders = (Files.entries(temporary) ?? []).filter { $0.hasPrefix("evolve-task.") }
        return folders.flatMap { folder in
            ["workspace/\(mark)", "workspace/tests/\(mark)", "check/\(mark)"].map { "\(temporary)/\(folder)/\($0)" }
        }.filter(Files.exists)
    }

    @Test func aTreeDeeperThanPathMaxInTests() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "deep-tests",
            python: """
                os.makedirs("tests/" + MARK); os.chdir("tests/" + MARK)
                for _ in range(2100): os.mkdir("d"); os.chdir("d")
                open("bottom", "w").write("deep")
                """, scratch: scratch)
        // The agent's tests/ never reaches the check: the hidden tests ran (and failed: add is not fixed).
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("test_small_numbers"))
    }

    @Test func aTreeDeeperThanPathMaxElsewhere() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "deep-elsewhere",
            python: """
                os.mkdir(MARK); os.chdir(MARK)
                for _ in range(2100): os.mkdir("d"); os.chdir("d")
                """, scratch: scratch)
        #expect(report.status("s01-add") == .crashed)
        #expect(report.detail("s01-add").contains("folder depth limit"), "\(report.detail("s01-add"))")
    }

    @Test func manyFiles() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "many-files",
            python: """
                os.mkdir(MARK)
                for i in range(3000): open(MARK + "/f%d" % i, "w").close()
                """, limits: SandboxLimits(timeoutSeconds: 30, workspaceFiles: 1000), scratch: scratch)
        #expect(report.status("s01-add") == .crashed)
        #expect(report.detail("s01-add").contains("more than 1000 entries"), "\(report.detail("s01-add"))")
    }

    @Test func aFifoAndASocket() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "fifo-socket",
            python: """
                os.mkdir(MARK); os.mkfifo(MARK + "/fifo")
                s = socket.socket(socket.AF_UNIX); s.bind(MARK + "/sock")
                os.makedirs("tests"); os.mkfifo("tests/test_wait.py")
                # The check imports calc: were the FIFO there, the import would wait for a writer forever.
                os.remove("calc.py"); os.mkfifo("calc.py")
                """, scratch: scratch)
        #expect(report.status("s01-add") == .failed, "the check ran without them, and did not hang")
        // Each expected test errs on the missing module (the FIFO named calc.py was left out, never opened).
        let verdicts = report.rows.first { $0.task == "s01-add" }?.outcome?.verdicts?.tests ?? []
        #expect(!verdicts.isEmpty && verdicts.allSatisfy { $0.outcome == .error })
        #expect(verdicts.contains { ($0.message ?? "").contains("calc") }, "\(verdicts)")
    }

    @Test func aSparseTenGigabyteFile() async throws {
        let scratch = try Scratch()
        // The file-size limit lets the agent make it; the workspace limit (1 GiB) stops the copy, unread.
        let report = try await run(
            "sparse",
            python: """
                os.mkdir(MARK)
                with open(MARK + "/huge", "wb") as f: f.truncate(10 * 1024 ** 3)
                """, limits: SandboxLimits(timeoutSeconds: 30, fileSizeMB: 20 * 1024), scratch: scratch)
        #expect(report.status("s01-add") == .crashed)
        #expect(report.detail("s01-add").contains("total size limit"), "\(report.detail("s01-add"))")
    }

    @Test func namesWithNewlinesBytesAndEscapes() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "odd-names",
            python: #"""
                os.mkdir(MARK)
                for name in [b"\xff\xfe", b"new\nline", b"\x1b[2J\x1b[31mred", b"\x07bell", b"-rf", b"..."]:
                    with open(MARK.encode() + b"/" + name, "wb") as f: f.write(b"x")
                    with open(name, "wb") as f: f.write(b"x")
                os.mkdir(MARK.encode() + b"/\xffdir"); open(MARK.encode() + b"/\xffdir/\nx", "w").write("x")
                """#, scratch: scratch)
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("test_small_numbers"))
    }

    @Test func foldersAndFilesWithoutPermissions() async throws {
        let scratch = try Scratch()
        let report = try await run(
            "chmod-000",
            python: """
                os.makedirs(MARK + "/a/b"); open(MARK + "/a/b/f", "w").write("x"); open(MARK + "/a/g", "w").write("x")
                os.chmod(MARK + "/a/b", 0); os.chmod(MARK + "/a", 0); os.chmod(MARK, 0o500)
                os.makedirs("tests/x"); os.chmod("tests/x", 0); os.chmod("tests", 0)
                open("secret", "w").write("x"); os.chmod("secret", 0)
                """, scratch: scratch)
        #expect(report.status("s01-add") == .failed || report.status("s01-add") == .crashed)
    }

    @Test func linksToTheHostLoopsAndHardLinks() async throws {
        let scratch = try Scratch()
        let keep = try scratch.write("keep", "keep")
        let report = try await run(
            "links",
            python: """
                os.mkdir(MARK)
                os.symlink("loop-b", MARK + "/loop-a"); os.symlink("loop-a", MARK + "/loop-b")
                os.symlink("/etc/passwd", MARK + "/passwd"); os.symlink("/etc/passwd", "calc_helper.py")
                os.symlink("\(temporary)", MARK + "/host-temporary")
                os.symlink("\(scratch.path)", MARK + "/host-scratch")
                os.symlink("../../..", MARK + "/up")
                open(MARK + "/file", "w").write("x"); os.link(MARK + "/file", MARK + "/hardlink")
                import shutil; shutil.rmtree("tests", ignore_errors=True); os.symlink("/", "tests")
                """, scratch: scratch)
        #expect(report.status("s01-add") == .failed)
        #expect(report.log("s01-add").contains("test_small_numbers"), "the hidden tests ran, not a link to /")
        #expect((try? String(contentsOfFile: keep, encoding: .utf8)) == "keep", "links are never followed")
        #expect(Files.exists("/etc/passwd"))
    }
}
