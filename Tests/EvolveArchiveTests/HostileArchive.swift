import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// One entry of a hand-made tree object.
struct RawEntry {
    var mode: String
    var name: [UInt8]
    var id: String

    static func file(_ name: String, _ id: String) -> RawEntry {
        RawEntry(mode: "100644", name: Array(name.utf8), id: id)
    }
    static func link(_ name: String, _ id: String) -> RawEntry {
        RawEntry(mode: "120000", name: Array(name.utf8), id: id)
    }
    static func folder(_ name: String, _ id: String) -> RawEntry {
        RawEntry(mode: "40000", name: Array(name.utf8), id: id)
    }
}

/// An archive made from the test seed, with what an attacker needs to plant trees that git's own tools
/// (and libgit2's tree builder) refuse to make: raw tree objects written with
/// `git hash-object -t tree --literally`, and commits and refs written with the git CLI.
final class HostileArchive {
    let scratch: Scratch
    let archive: Archive
    let seed: Variant
    var repo: String { archive.path + "/repo.git" }
    /// A folder beside every checkout target, with one file in it: nothing may ever change it.
    var outside: String { scratch.path + "/outside" }
    var target: String { scratch.path + "/target" }

    init() throws {
        scratch = try Scratch()
        archive = try Archive.create(at: scratch.path + "/archive", seed: try makeSeed(in: scratch))
        seed = try archive.variant(VariantID(0))
        try scratch.write("outside/sentinel.txt", "do not touch\n")
    }

    func blob(_ text: String) throws -> String { try archive.storeBlob(text) }

    /// Writes a tree object byte for byte, in the order given (no sorting, no checks).
    func tree(_ entries: [RawEntry]) throws -> String {
        var bytes: [UInt8] = []
        for entry in entries {
            bytes += Array(entry.mode.utf8) + [0x20] + entry.name + [0]
            var i = entry.id.startIndex
            while i < entry.id.endIndex {
                let next = entry.id.index(i, offsetBy: 2)
                bytes.append(UInt8(entry.id[i..<next], radix: 16)!)
                i = next
            }
        }
        let file = scratch.path + "/raw-tree-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let (out, status) = try shell([
            "git", "--git-dir", repo, "hash-object", "-t", "tree", "--literally", "-w", file,
        ])
        #expect(status == 0, "git hash-object failed: \(out)")
        return out
    }

    /// The seed's own entries plus `extra` (so a hostile tree still looks like the agent), sorted.
    func seedTree(plus extra: [RawEntry]) throws -> String {
        let stored = try #require(try archive.git.readObject(seed.tree))
        let entries = try RawTree.parse(stored.bytes).get().map {
            RawEntry(mode: String($0.mode, radix: 8), name: $0.name, id: $0.id)
        }
        // In git's order (a folder sorts as its name with a `/`), so the only problems are the intended ones.
        func key(_ entry: RawEntry) -> [UInt8] { entry.mode == "40000" ? entry.name + [0x2F] : entry.name }
        return try tree((entries + extra).sorted { key($0).lexicographicallyPrecedes(key($1)) })
    }

    /// Plants a commit with `tree` under the next variant's ref, as a tampered (or pre-fix) archive would
    /// hold it, and lets `doctor --repair` index it. Returns the planted variant's id.
    func plant(tree: String) throws -> VariantID {
        let id = VariantID(try archive.variantCount())
        let message = "hostile child\n\nVariant: \(id)\nGeneration: 1\nOperator: llm\nParents: v0\nStatus: pending\n"
        let identity = ["GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t"]
        let (commit, status) = try shell(
            identity + ["git", "--git-dir", repo, "commit-tree", tree, "-p", seed.commit, "-m", message])
        #expect(status == 0, "git commit-tree failed")
        #expect(try shell(["git", "--git-dir", repo, "update-ref", id.refName, commit]).status == 0)
        _ = try archive.doctor(repair: true)
        #expect(try archive.variant(id).tree == tree)
        return id
    }

    /// Every file, link and folder under `outside` (it must never change).
    func outsideSnapshot() throws -> [String: String] { try snapshot(outside) }

    /// Checks the whole defence for one hostile tree whose first problem is at `path`: recording makes an
    /// invalid child with the reason, checkout refuses it and writes nothing, doctor names variant and path.
    func expectRefusedEverywhere(_ tree: String, path: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        #expect(try archive.treeProblems(tree).contains { $0.path == path }, sourceLocation: sourceLocation)

        let child = try archive.record(
            parents: [seed.id], tree: tree,
            metadata: VariantMetadata(generation: 1, operator: "llm", summary: "hostile"))
        #expect(child.status == .invalid, sourceLocation: sourceLocation)
        #expect(child.reason?.hasPrefix("unsafe tree: ") == true, sourceLocation: sourceLocation)
        #expect(
            child.reason?.contains(path) == true, "reason: \(child.reason ?? "nil")", sourceLocation: sourceLocation)
        #expect(child.tree == seed.tree, sourceLocation: sourceLocation)

        let planted = try plant(tree: tree)
        let before = try outsideSnapshot()
        do {
            try archive.checkout(planted, into: target)
            Issue.record("the checkout of a hostile tree succeeded", sourceLocation: sourceLocation)
        } catch let error as EvolveError {
            #expect(error.message.contains("refusing to check out \(planted)"), sourceLocation: sourceLocation)
            #expect(error.message.contains(path), "\(error)", sourceLocation: sourceLocation)
            #expect(error.hint?.contains("nothing was written") == true, sourceLocation: sourceLocation)
        }
        #expect(try outsideSnapshot() == before, sourceLocation: sourceLocation)
        #expect(!Files.exists(target), "the checkout made its folder", sourceLocation: sourceLocation)

        let report = try archive.doctor(repair: true)
        #expect(report.unsafeVariants == [planted.description], sourceLocation: sourceLocation)
        #expect(
            report.problems.contains { $0.hasPrefix("\(planted): unsafe tree") && $0.contains(path) },
            "\(report.problems)", sourceLocation: sourceLocation)
        #expect(!report.isHealthy, sourceLocation: sourceLocation)
        #expect(
            try archive.variant(planted).tree == tree, "--repair must keep the variant", sourceLocation: sourceLocation)
    }
}
