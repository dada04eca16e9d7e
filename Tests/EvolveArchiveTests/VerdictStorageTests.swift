import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

@Suite struct VerdictStorageTests {
    static let verdicts = TaskVerdicts(
        source: "runner",
        tests: [
            TestVerdict(name: "test_calc.TestAdd.test_a", outcome: .passed),
            TestVerdict(
                name: "test_calc.TestAdd.test_b", outcome: .failed, exceptionType: "AssertionError", message: "1 != 2"),
        ])

    func outcome(_ tree: String, task: String, verdicts: TaskVerdicts?) -> TaskOutcome {
        TaskOutcome(
            tree: tree, suite: "smoke", task: task, status: .failed, durationSeconds: 1, log: "log", verdicts: verdicts)
    }

    @Test func verdictsAreStoredWithTheOutcomeAndCounted() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        let tree = try archive.variant(VariantID(0)).tree
        try archive.record(outcome(tree, task: "s01", verdicts: Self.verdicts))
        let back = try #require(try archive.outcomes(tree: tree, suite: "smoke").first)
        #expect(back.verdicts == Self.verdicts)
        #expect(back.score == 0.5)
        let counts = try shell([
            "python3", "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT tests_passed, tests_total FROM evaluations').fetchone())",
            scratch.path + "/archive/index.sqlite",
        ])
        #expect(counts.out == "(1, 2)")
    }

    @Test func anArchiveOfSchemaOneIsMigratedAndItsOutcomesStayReadable() throws {
        let scratch = try Scratch()
        let path = scratch.path + "/archive"
        do {
            let archive = try Archive.create(at: path, seed: try makeSeed(in: scratch))
            try archive.record(outcome(try archive.variant(VariantID(0)).tree, task: "s01", verdicts: nil))
        }
        // Back to schema 1: the evaluations table without the verdict columns.
        let downgrade = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            for column in ("verdicts", "tests_passed", "tests_total"):
                db.execute("ALTER TABLE evaluations DROP COLUMN " + column)
            db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
            db.commit()
            print(len(db.execute("PRAGMA table_info(evaluations)").fetchall()))
            """
        #expect(try shell(["python3", "-c", downgrade, path + "/index.sqlite"]).out == "10")
        let archive = try Archive.open(at: path)
        let tree = try archive.variant(VariantID(0)).tree
        let old = try #require(try archive.outcomes(tree: tree, suite: "smoke").first)
        #expect(old.verdicts == nil)
        #expect(old.score == 0)
        try archive.record(outcome(tree, task: "s02", verdicts: Self.verdicts))
        #expect(try archive.outcomes(tree: tree, suite: "smoke").last?.verdicts == Self.verdicts)
        let version = try shell([
            "python3", "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT value FROM meta WHERE key='schema_version'\").fetchone()[0])",
            path + "/index.sqlite",
        ])
        #expect(version.out == "2")
    }
}
