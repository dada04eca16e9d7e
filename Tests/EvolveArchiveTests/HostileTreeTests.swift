import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// Trees a hostile child could hold: each is refused on record (an invalid child with the reason), on
/// checkout (an error naming the path, nothing written, the folder beside the target untouched) and
/// reported by `doctor` (variant and path). Honest trees, links inside the agent included, pass.
@Suite struct HostileTreeTests {
    @Test func aLinkAndAFolderWithTheSameName() throws {
        let hostile = try HostileArchive()
        let payload = try hostile.tree([.file("pwned.txt", try hostile.blob("written through the link\n"))])
        let tree = try hostile.seedTree(plus: [
            .link("evil", try hostile.blob("../outside")), .folder("evil", payload),
        ])
        try hostile.expectRefusedEverywhere(tree, path: "evil")
    }

    @Test func aGitConfigWithFsmonitor() throws {
        let hostile = try HostileArchive()
        let config = try hostile.blob("[core]\n\tfsmonitor = \"touch ../pwned-by-fsmonitor\"\n")
        let head = try hostile.blob("ref: refs/heads/main\n")
        let dotGit = try hostile.tree([.file("HEAD", head), .file("config", config)])
        let tree = try hostile.seedTree(plus: [.folder(".git", dotGit)])
        try hostile.expectRefusedEverywhere(tree, path: ".git")
    }

    @Test(arguments: [".GIT", ".git.", ".git ", ".Git. .", "git~1", "GIT~1", ".git::$INDEX_ALLOCATION", ".g\u{200C}it"])
    func otherSpellingsOfDotGit(_ name: String) throws {
        let hostile = try HostileArchive()
        let dotGit = try hostile.tree([.file("config", try hostile.blob("[core]\n\tfsmonitor = \"touch pwned\"\n"))])
        let tree = try hostile.seedTree(plus: [.folder(name, dotGit)])
        try hostile.expectRefusedEverywhere(tree, path: DisplayText.escaped(name))
    }

    @Test func aDotGitDeeperDown() throws {
        let hostile = try HostileArchive()
        let dotGit = try hostile.tree([.file("config", try hostile.blob("[core]\n\tbare = false\n"))])
        let sub = try hostile.tree([.folder(".git", dotGit)])
        let tree = try hostile.seedTree(plus: [.folder("vendor", sub)])
        try hostile.expectRefusedEverywhere(tree, path: "vendor/.git")
    }

    @Test(arguments: ["..", ".", "../outside", "/tmp/evolve-absolute-name"])
    func dotDotAndAbsoluteNames(_ name: String) throws {
        let hostile = try HostileArchive()
        let tree = try hostile.seedTree(plus: [.file(name, try hostile.blob("escaped\n"))])
        try hostile.expectRefusedEverywhere(tree, path: name)
    }

    @Test func duplicateNames() throws {
        let hostile = try HostileArchive()
        let tree = try hostile.tree([
            .file("agent.py", try hostile.blob("print('first')\n")),
            .file("agent.py", try hostile.blob("print('second')\n")),
        ])
        try hostile.expectRefusedEverywhere(tree, path: "agent.py")
    }

    @Test func aLinkChainThatLeadsOutside() throws {
        let hostile = try HostileArchive()
        // `here` is the agent's own folder; `out` reads as `outside` inside it, but the kernel resolves
        // `here/..` to the folder above the checkout.
        let tree = try hostile.seedTree(plus: [
            .link("here", try hostile.blob(".")), .link("out", try hostile.blob("here/../outside")),
        ])
        try hostile.expectRefusedEverywhere(tree, path: "out")
    }

    @Test func anAbsoluteLinkAndALinkLoop() throws {
        let hostile = try HostileArchive()
        let absolute = try hostile.seedTree(plus: [.link("passwd", try hostile.blob("/etc/passwd"))])
        #expect(try hostile.archive.treeProblems(absolute).map(\.path) == ["passwd"])
        let loop = try hostile.seedTree(plus: [
            .link("a", try hostile.blob("b")), .link("b", try hostile.blob("a/x")),
        ])
        #expect(try hostile.archive.treeProblems(loop).contains { $0.path == "a" && $0.issue.contains("loop") })
    }

    @Test func anHonestTreeWithLinksInsidePasses() throws {
        let hostile = try HostileArchive()
        let lib = try hostile.tree([
            .link("back.py", try hostile.blob("../agent.py")), .file("util.py", try hostile.blob("x = 1\n")),
        ])
        let tree = try hostile.tree([
            .file("agent.py", try hostile.blob("print('hi')\n")), .folder("lib", lib),
            .link("round-trip.py", try hostile.blob("lib/../lib/./util.py")),
        ])
        #expect(try hostile.archive.treeProblems(tree).isEmpty)
        let child = try hostile.archive.record(
            parents: [hostile.seed.id], tree: tree,
            metadata: VariantMetadata(generation: 1, operator: "llm", summary: "ok"))
        #expect(child.status == .pending)
        try hostile.archive.checkout(child.id, into: hostile.target)
        #expect(try hostile.archive.treeHash(ofDirectory: hostile.target) == tree)
        #expect(try hostile.archive.doctor(repair: false).isHealthy)
    }

    @Test func theDescriptorLayerAloneNeverWritesThroughALink() throws {
        let hostile = try HostileArchive()
        let payload = try hostile.tree([.file("pwned.txt", try hostile.blob("written through the link\n"))])
        let link = RawEntry.link("evil", try hostile.blob("../outside"))
        let folder = RawEntry.folder("evil", payload)
        // Both orders: the link first (git's order), and the folder first (an out-of-order tree).
        for entries in [[link, folder], [folder, link]] {
            let tree = try hostile.tree(entries)
            let before = try hostile.outsideSnapshot()
            try FileManager.default.createDirectory(atPath: hostile.target, withIntermediateDirectories: true)
            #expect(throws: EvolveError.self) {
                try hostile.archive.git.materialize(tree: GitOID(hex: tree)!, into: hostile.target, checked: false)
            }
            #expect(try hostile.outsideSnapshot() == before)
            Files.removeTree(hostile.target)
        }
    }

    @Test func aSeedWithALinkOutsideIsRefused() throws {
        let scratch = try Scratch()
        try scratch.write("seed/agent.py", "print('hi')\n")
        symlink("/etc/passwd", scratch.path + "/seed/passwd")
        do {
            _ = try Archive.create(at: scratch.path + "/archive", seed: scratch.path + "/seed")
            Issue.record("a seed with a link out of its folder was archived")
        } catch let error as EvolveError {
            #expect(error.kind == .invalidInput)
            #expect(error.message.contains("passwd"))
        }
    }
}
