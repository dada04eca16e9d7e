import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// A seed with what agents' sources hold: text, an executable script, a symlink, binary bytes, folders.
func makeSeed(in scratch: Scratch) throws -> String {
    try scratch.write("seed/agent.py", "import sys\nprint('hello')\n")
    try scratch.write("seed/run.sh", "#!/bin/sh\nexec python3 agent.py\n", executable: true)
    try scratch.write("seed/lib/util.py", "def add(a, b):\n    return a + b\n")
    try scratch.write("seed/agent.yaml", "name: test\nrun: python3 agent.py\n")
    let binary = Data((0..<256).map { UInt8($0) })
    try binary.write(to: URL(fileURLWithPath: scratch.path + "/seed/data.bin"))
    symlink("lib/util.py", scratch.path + "/seed/util-link.py")
    try scratch.makeFolder("seed/empty-folder")
    return scratch.path + "/seed"
}

@Suite struct ArchiveRoundTripTests {
    @Test func seedImportsByteForByteWithModes() throws {
        let scratch = try Scratch()
        let seed = try makeSeed(in: scratch)
        let archive = try Archive.create(at: scratch.path + "/archive", seed: seed)
        let v0 = try archive.variant(VariantID(0))
        #expect(v0.parents.isEmpty)
        #expect(v0.operator == "seed")
        try archive.checkout(v0.id, into: scratch.path + "/out")
        var expected = try snapshot(seed)
        expected.removeValue(forKey: "empty-folder")
        #expect(try snapshot(scratch.path + "/out") == expected)
        // git itself agrees on the tree: an independent hash of the checked-out folder.
        try shell(["git", "init", "-q", "."], in: scratch.path + "/out")
        try shell(["git", "add", "-A"], in: scratch.path + "/out")
        let gitTree = try shell(["git", "write-tree"], in: scratch.path + "/out").out
        #expect(gitTree == v0.tree)
        // The archive's own repository is a plain git repository: fsck is clean, refs are listed.
        let fsck = try shell(["git", "--git-dir", archive.path + "/repo.git", "fsck", "--strict"])
        #expect(fsck.status == 0)
        let refs = try shell(["git", "--git-dir", archive.path + "/repo.git", "for-each-ref", "--format=%(refname)"])
        #expect(refs.out == "refs/variants/v0")
    }

    @Test func childrenFromTreesAndPatchesRoundTrip() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        // A child from a changed folder: a file edited, one made executable, one removed, one added.
        try archive.checkout(VariantID(0), into: scratch.path + "/work")
        try scratch.write("work/agent.py", "import sys\nprint('hello, world')\n")
        try scratch.write("work/new.txt", "new\n", executable: true)
        try FileManager.default.removeItem(atPath: scratch.path + "/work/data.bin")
        let before = try snapshot(scratch.path + "/work")
        let tree = try archive.writeTree(fromDirectory: scratch.path + "/work")
        let v1 = try archive.record(
            parents: [VariantID(0)], tree: tree,
            metadata: VariantMetadata(generation: 1, operator: "test", summary: "edit"))
        #expect(v1.id == VariantID(1))
        #expect(v1.parents == [VariantID(0)])
        // A child from a patch applied by libgit2.
        let patch = """
            diff --git a/lib/util.py b/lib/util.py
            --- a/lib/util.py
            +++ b/lib/util.py
            @@ -1,2 +1,2 @@
             def add(a, b):
            -    return a + b
            +    return b + a

            """
        let v2 = try archive.record(
            parent: v1.id, patch: patch,
            metadata: VariantMetadata(generation: 2, operator: "test", summary: "patch"))
        try archive.checkout(v1.id, into: scratch.path + "/out1")
        #expect(try snapshot(scratch.path + "/out1") == before)
        try archive.checkout(v2.id, into: scratch.path + "/out2")
        let util = try String(contentsOfFile: scratch.path + "/out2/lib/util.py", encoding: .utf8)
        #expect(util == "def add(a, b):\n    return b + a\n")
        #expect(try archive.treeHash(ofDirectory: scratch.path + "/out2") == v2.tree)
        #expect(try archive.diff(v2.id).contains("+    return b + a"))
        // The commit carries the metadata as trailers.
        let message = try shell(["git", "--git-dir", archive.path + "/repo.git", "log", "-1", "--format=%B", v2.commit])
        #expect(message.out.contains("Variant: v2"))
        #expect(message.out.contains("Parents: v1"))
        #expect(message.out.contains("Generation: 2"))
    }

    @Test func patchThatDoesNotApplyIsAnError() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        let patch = """
            --- a/lib/util.py
            +++ b/lib/util.py
            @@ -1,2 +1,2 @@
             def sub(a, b):
            -    return a - b
            +    return b - a

            """
        #expect(throws: EvolveError.self) {
            try archive.record(
                parent: VariantID(0), patch: patch,
                metadata: VariantMetadata(generation: 1, operator: "test", summary: "bad"))
        }
        #expect(try archive.variantCount() == 1)
    }

    @Test func mergeOfTwoVariantsAndConflicts() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        func child(_ parent: VariantID, _ file: String, _ contents: String) throws -> Variant {
            let dir = scratch.path + "/w\(UUID().uuidString)"
            try archive.checkout(parent, into: dir)
            try contents.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
            return try archive.record(
                parents: [parent], tree: try archive.writeTree(fromDirectory: dir),
                metadata: VariantMetadata(generation: 1, operator: "test", summary: file))
        }
        let a = try child(VariantID(0), "agent.py", "print('a')\n")
        let b = try child(VariantID(0), "lib/util.py", "def add(a, b):\n    return a + b + 0\n")
        let c = try child(VariantID(0), "agent.py", "print('c')\n")
        guard case .success(let merged) = try archive.merge(a.id, b.id) else {
            Issue.record("a clean merge failed")
            return
        }
        let m = try archive.record(
            parents: [a.id, b.id], tree: merged,
            metadata: VariantMetadata(generation: 2, operator: "crossover", summary: "merge"))
        #expect(m.parents == [a.id, b.id])
        try archive.checkout(m.id, into: scratch.path + "/merged")
        #expect(try String(contentsOfFile: scratch.path + "/merged/agent.py", encoding: .utf8) == "print('a')\n")
        #expect(try String(contentsOfFile: scratch.path + "/merged/lib/util.py", encoding: .utf8).contains("+ 0"))
        guard case .failure(let conflict) = try archive.merge(a.id, c.id) else {
            Issue.record("a conflicting merge succeeded")
            return
        }
        #expect(conflict.paths == ["agent.py"])
    }

    @Test func outcomesAreKeyedByTreeAndNeverOverwritten() throws {
        let scratch = try Scratch()
        let archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        let tree = try archive.variant(VariantID(0)).tree
        let first = TaskOutcome(tree: tree, suite: "s", task: "t1", status: .passed, durationSeconds: 0.5, log: "ok")
        #expect(try archive.record(first))
        var second = first
        second.status = .failed
        second.log = "later"
        #expect(try archive.record(second) == false)
        let stored = try archive.outcomes(tree: tree, suite: "s")
        #expect(stored.count == 1)
        #expect(stored.first?.status == .passed)
        #expect(stored.first?.log == "ok")
        #expect(try archive.passMatrix(suite: "s") == [tree: ["t1": true]])
    }
}
