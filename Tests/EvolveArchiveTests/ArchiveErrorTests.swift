import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

func kind(_ body: () throws -> Any) -> EvolveError.Kind? {
    do {
        _ = try body()
        return nil
    } catch let error as EvolveError {
        return error.kind
    } catch {
        return .io
    }
}

@Suite struct ArchiveErrorTests {
    @Test func seedThatIsMissingEmptyOrAFile() throws {
        let scratch = try Scratch()
        #expect(kind { try Archive.create(at: scratch.path + "/a1", seed: scratch.path + "/nope") } == .notFound)
        try scratch.makeFolder("empty/only-folders/inside")
        #expect(kind { try Archive.create(at: scratch.path + "/a2", seed: scratch.path + "/empty") } == .invalidInput)
        let file = try scratch.write("file.txt", "x")
        #expect(kind { try Archive.create(at: scratch.path + "/a3", seed: file) } == .invalidInput)
    }

    @Test func anExistingArchiveIsNeverOverwritten() throws {
        let scratch = try Scratch()
        let seed = try makeSeed(in: scratch)
        let archive = try Archive.create(at: scratch.path + "/archive", seed: seed)
        let before = try archive.variant(VariantID(0)).commit
        #expect(kind { try Archive.create(at: scratch.path + "/archive", seed: seed) } == .alreadyExists)
        #expect(try Archive.open(at: scratch.path + "/archive").variant(VariantID(0)).commit == before)
        let file = try scratch.write("plain-file", "x")
        #expect(kind { try Archive.create(at: file, seed: seed) } == .alreadyExists)
    }

    @Test func noArchiveOrAFolderThatIsNotOne() throws {
        let scratch = try Scratch()
        #expect(kind { try Archive.open(at: scratch.path + "/missing") } == .notFound)
        try scratch.write("not-archive/readme.txt", "hello")
        #expect(kind { try Archive.open(at: scratch.path + "/not-archive") } == .notAnArchive)
        let file = try scratch.write("a-file", "x")
        #expect(kind { try Archive.open(at: file) } == .notAnArchive)
    }

    @Test func checkoutTargetThatIsAFileOrNotEmpty() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        let file = try scratch.write("target-file", "keep me")
        #expect(kind { try archive.checkout(VariantID(0), into: file) } == .invalidInput)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
        try scratch.write("busy/mine.txt", "mine")
        #expect(kind { try archive.checkout(VariantID(0), into: scratch.path + "/busy") } == .alreadyExists)
        #expect(Files.exists(scratch.path + "/busy/mine.txt"))
        try archive.checkout(VariantID(0), into: scratch.path + "/busy", force: true)
        #expect(!Files.exists(scratch.path + "/busy/mine.txt"))
        #expect(try archive.treeHash(ofDirectory: scratch.path + "/busy") == archive.variant(VariantID(0)).tree)
    }

    @Test func corruptedIndexIsReportedAndRebuiltFromGit() throws {
        let scratch = try Scratch()
        let path = scratch.path + "/archive"
        let archive = try makeBranchingArchive(in: scratch)
        let commits = try archive.allVariants().map(\.commit)
        // Overwrite the index with garbage, as a bad disk or a stray editor would.
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path + "/index.sqlite"))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + "/index.sqlite" + suffix) }
        let error = try #require(throws: EvolveError.self) { try Archive.open(at: path) }
        #expect(error.kind == .corrupt)
        #expect(error.hint?.contains("doctor --rebuild-index") == true)
        // The rebuild brings every variant and its lineage back from repo.git.
        #expect(try Archive.rebuildIndex(at: path) == commits.count)
        let rebuilt = try Archive.open(at: path)
        #expect(try rebuilt.allVariants().map(\.commit) == commits)
        #expect(try rebuilt.variant(VariantID(7)).parents == [VariantID(4), VariantID(5)])
        #expect(try rebuilt.lineage(of: VariantID(1)).nodes.count == 6)
    }

    @Test func missingRefIsReportedAndRepaired() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        try shell(["git", "--git-dir", archive.path + "/repo.git", "update-ref", "-d", "refs/variants/v3"])
        let error = try #require(throws: EvolveError.self) {
            try archive.checkout(VariantID(3), into: scratch.path + "/out")
        }
        #expect(error.kind == .corrupt)
        #expect(error.message.contains("refs/variants/v3"))
        let report = try archive.doctor(repair: false)
        #expect(report.problems == ["v3: the ref refs/variants/v3 is missing"])
        #expect(!report.isHealthy)
        #expect(try archive.doctor(repair: true).isHealthy)
        try archive.checkout(VariantID(3), into: scratch.path + "/out")
        #expect(try archive.doctor(repair: false).problems.isEmpty)
    }

    @Test func aCrashBetweenIndexRowAndRefIsFinishedOnOpen() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        // Simulate the crash window: the row is committed, the ref was never written.
        try shell(["git", "--git-dir", archive.path + "/repo.git", "update-ref", "-d", "refs/variants/v7"])
        try archive.db.run("UPDATE variants SET ref_written = 0 WHERE num = 7")
        let reopened = try Archive.open(at: archive.path, repair: true)
        #expect(try reopened.doctor(repair: false).problems.isEmpty)
        let fsck = try shell(["git", "--git-dir", archive.path + "/repo.git", "fsck", "--strict"])
        #expect(fsck.status == 0)
    }

    /// kill -9 while the ref was being written: its lock file is left beside it, and the next search's repair
    /// must not be refused by it (a full test run once failed to resume this way).
    @Test func aCrashWhileTheRefIsWrittenLeavesALockThatRepairClears() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        try shell(["git", "--git-dir", archive.path + "/repo.git", "update-ref", "-d", "refs/variants/v7"])
        try archive.db.run("UPDATE variants SET ref_written = 0 WHERE num = 7")
        let lock = archive.path + "/repo.git/refs/variants/v7.lock"
        try Files.writeAtomically(Data(), to: lock)
        // And while it packed its refs at the end (`compact()`).
        let packLock = archive.path + "/repo.git/packed-refs.lock"
        try Files.writeAtomically(Data(), to: packLock)
        let reopened = try Archive.open(at: archive.path, repair: true)
        #expect(!Files.exists(lock))
        #expect(!Files.exists(packLock))
        try reopened.compact()
        #expect(try reopened.doctor(repair: false).problems.isEmpty)
        let fsck = try shell(["git", "--git-dir", archive.path + "/repo.git", "fsck", "--strict"])
        #expect(fsck.status == 0)
    }
}
