import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Figures for scripts/bench-workspace.sh; skipped unless EVOLVE_BENCH is set. Prints, never asserts a time.
///
/// A flat folder of N empty files and a chain of D nested folders (deeper than `PATH_MAX` from D ≈ 2050), made
/// with Python; then the engine's `TreeCopy` (limits raised to fit) and `TreeRemoval` on them, against `cp -a`
/// and `rm -rf` on identical trees.
@Suite(
    "Workspace tree benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["EVOLVE_BENCH"] != nil))
struct WorkspaceTreeBenchmark {
    static var files: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_FILES"] ?? "") ?? 200_000 }
    static var depth: Int { Int(ProcessInfo.processInfo.environment["EVOLVE_BENCH_DEPTH"] ?? "") ?? 5_000 }

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    func shell(_ command: String) throws {
        _ = try Spawn.command("/bin/sh", ["-c", command]).run(errorOutput: .discarded)
    }

    @Test func copyAndRemoval() throws {
        let scratch = try Scratch()
        let n = Self.files
        let d = Self.depth
        try buildTree(
            in: scratch.path,
            """
            import os
            for top in ("flat-a", "flat-b"):
                os.mkdir(top)
                for i in range(\(n)): open("%s/f%d" % (top, i), "w").close()
            for top in ("wide-a", "wide-b"):
                os.mkdir(top)
                for i in range(\(n / 10)): os.mkdir("%s/d%d" % (top, i)); open("%s/d%d/f" % (top, i), "w").close()
            for top in ("deep-a", "deep-b"):
                os.mkdir(top); here = os.open(".", os.O_RDONLY); os.chdir(top)
                for _ in range(\(d)): os.mkdir("d"); os.chdir("d")
                os.fchdir(here)
            """)
        let limits = TreeCopyLimits(
            maxDepth: d + 1, maxEntries: n + d + 1, maxTotalBytes: 1 << 30, maxFileBytes: 1 << 20)
        let copyFlat = try seconds {
            try TreeCopy.copy(from: scratch.file("flat-a"), to: scratch.file("flat-copy"), limits: limits)
        }
        let cpFlat = try seconds { try shell("cp -a '\(scratch.file("flat-b"))' '\(scratch.file("flat-cp"))'") }
        let removeFlat = try seconds {
            try TreeRemoval.remove(scratch.file("flat-a"))
            try TreeRemoval.remove(scratch.file("flat-copy"))
        }
        let rmFlat = try seconds {
            try shell("rm -rf '\(scratch.file("flat-b"))' '\(scratch.file("flat-cp"))'")
        }
        let removeWide = try seconds { try TreeRemoval.remove(scratch.file("wide-a")) }
        let rmWide = try seconds { try shell("rm -rf '\(scratch.file("wide-b"))'") }
        let removeDeep = try seconds { try TreeRemoval.remove(scratch.file("deep-a")) }
        let rmDeep = try seconds { try shell("rm -rf '\(scratch.file("deep-b"))'") }
        #expect(Files.entries(scratch.path) == [])
        func f(_ s: Double) -> String { String(format: "%.2f s", s) }
        print("BENCH flat folder of \(n) files: TreeCopy \(f(copyFlat)) (cp -a \(f(cpFlat)))")
        print("BENCH removing it and its copy (\(2 * n) files): TreeRemoval \(f(removeFlat)) (rm -rf \(f(rmFlat)))")
        print("BENCH \(n / 10) folders of one file each: TreeRemoval \(f(removeWide)) (rm -rf \(f(rmWide)))")
        print(
            "BENCH chain of \(d) nested folders (\(2 * d) characters of path): TreeRemoval \(f(removeDeep)) (rm -rf \(f(rmDeep)))"
        )
    }
}
