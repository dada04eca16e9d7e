import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// v0 ─┬─ v1 ─┬─ v3 ── v6
///     │      └─ v4
///     └─ v2 ── v5 (merge of v3? no: v5 = child of v2), v7 = merge of v4 and v5
func makeBranchingArchive(in scratch: Scratch) throws -> Archive {
    try scratch.write("seed/a.txt", "0\n")
    let archive = try Archive.create(at: scratch.path + "/archive", seed: scratch.path + "/seed")
    var n = 0
    func child(_ parents: [Int], generation: Int) throws {
        n += 1
        let dir = scratch.path + "/w\(n)"
        try archive.checkout(VariantID(parents[0]), into: dir)
        try "\(n)\n".write(toFile: dir + "/f\(n).txt", atomically: true, encoding: .utf8)
        try archive.record(
            parents: parents.map(VariantID.init), tree: try archive.writeTree(fromDirectory: dir),
            metadata: VariantMetadata(generation: generation, operator: "test", summary: "child \(n)"))
    }
    try child([0], generation: 1)  // v1
    try child([0], generation: 1)  // v2
    try child([1], generation: 2)  // v3
    try child([1], generation: 2)  // v4
    try child([2], generation: 2)  // v5
    try child([3], generation: 3)  // v6
    try child([4, 5], generation: 3)  // v7: two parents
    return archive
}

@Suite struct LineageTests {
    @Test func pathAndSubtreeOfABranchingTree() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        let lineage = try archive.lineage(of: VariantID(1))
        #expect(lineage.path == [VariantID(0), VariantID(1)])
        #expect(Set(lineage.nodes.keys) == Set([0, 1, 3, 4, 6, 7].map(VariantID.init)))
        #expect(lineage.children[VariantID(1)] == [VariantID(3), VariantID(4)])
        #expect(lineage.children[VariantID(4)] == [VariantID(7)])

        let deep = try archive.lineage(of: VariantID(7))
        #expect(deep.path == [VariantID(0), VariantID(1), VariantID(4), VariantID(7)])
        #expect(Set(deep.nodes.keys) == Set([0, 1, 4, 7].map(VariantID.init)))

        let root = try archive.lineage(of: VariantID(0))
        #expect(root.nodes.count == 8)
    }

    @Test func textJSONAndDotRenderings() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        let lineage = try archive.lineage(of: VariantID(1))
        let text = lineage.renderText()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("v0 "))
        #expect(lines[1].hasPrefix("└─ v1 ") && lines[1].hasSuffix("◀"))
        #expect(lines[2].hasPrefix("   ├─ v3 "))
        #expect(lines[3].hasPrefix("   │  └─ v6 "))
        #expect(lines[4].hasPrefix("   └─ v4 "))
        #expect(lines[5].contains("v7") && lines[5].contains("merge of v4 + v5"))

        let json = try JSONSerialization.jsonObject(with: Data(lineage.renderJSON().utf8)) as? [String: Any]
        #expect(json?["path"] as? [String] == ["v0", "v1"])
        let nodes = json?["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.map { $0["id"] as? String } == ["v0", "v1", "v3", "v4", "v6", "v7"])
        #expect(nodes.last?["parents"] as? [String] == ["v4", "v5"])
        #expect(nodes.first?["score"] is NSNull)

        let dot = lineage.renderDOT()
        #expect(dot.hasPrefix("digraph lineage {"))
        #expect(dot.contains("\"v1\" -> \"v3\";"))
        #expect(dot.contains("\"v4\" -> \"v7\";"))
        #expect(!dot.contains("\"v5\" -> \"v7\";"))  // v5 is outside this lineage
    }
}

@Suite struct IdTests {
    @Test func idsAndCommitPrefixesResolve() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        let v3 = try archive.variant(VariantID(3))
        #expect(try archive.resolve("v3").id == v3.id)
        #expect(try archive.resolve("3").id == v3.id)
        #expect(try archive.resolve("V3").id == v3.id)
        #expect(try archive.resolve(v3.commit).id == v3.id)
        // The shortest prefix that is unique among all commits resolves; git would agree.
        let all = try archive.allVariants().map(\.commit)
        let unique = (4...40).map { String(v3.commit.prefix($0)) }.first { p in
            all.filter { $0.hasPrefix(p) }.count == 1
        }!
        #expect(try archive.resolve(unique).id == v3.id)
    }

    @Test func unknownAndAmbiguousIdsAreClearErrors() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        #expect { try archive.resolve("v99") } throws: { ($0 as? EvolveError)?.kind == .notFound }
        #expect { try archive.resolve("zzzz") } throws: { ($0 as? EvolveError)?.kind == .notFound }
        #expect { try archive.resolve("abc") } throws: { ($0 as? EvolveError)?.kind == .notFound }
        #expect { try archive.resolve("") } throws: { ($0 as? EvolveError)?.kind == .usage }
        let error = try #require(throws: EvolveError.self) { try archive.resolve("v99") }
        #expect(error.description.contains("v0…v7"))
    }

    @Test func idThatIsAlsoACommitPrefixIsAmbiguous() throws {
        let scratch = try Scratch()
        let archive = try makeBranchingArchive(in: scratch)
        // A row whose commit starts with "0003": "0003" now names v3 (as an id) and v8 (as a prefix).
        let fakeCommit = "0003" + String(repeating: "a", count: 36)
        try archive.db.run(
            """
            INSERT INTO variants (num, commit_id, tree_id, generation, operator, status, summary, created_at,
                                  ref_written)
            VALUES (8, ?, ?, 1, 'test', 'pending', 'fake', 0, 1)
            """, fakeCommit, try archive.variant(VariantID(0)).tree)
        let error = try #require(throws: EvolveError.self) { try archive.resolve("0003") }
        #expect(error.kind == .ambiguous)
        #expect(error.message.contains("v3") && error.message.contains("v8"))
        #expect(try archive.resolve("v3").id == VariantID(3))
        #expect(try archive.resolve("0003a").id == VariantID(8))
    }
}
