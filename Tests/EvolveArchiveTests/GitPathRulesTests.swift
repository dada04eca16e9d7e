import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// The name rules against git's own (`verify_path`, `fsck_tree`), the doctor against the `git fsck` CLI,
/// and the escaping of text a child wrote.
@Suite struct GitPathRulesTests {
    @Test(arguments: [
        ".git", ".GIT", ".Git", ".git.", ".git ", ".git. . ", "git~1", "GIT~1", ".git::$INDEX_ALLOCATION",
        ".git:stream", ".g\u{200C}it", "\u{FEFF}.git", ".gi\u{206A}t", "", ".", "..", "a/b", "/abs",
    ])
    func namesGitRefuses(_ name: String) {
        #expect(GitPathRules.problem(name: Array(name.utf8), isLink: false) != nil)
    }

    @Test(arguments: [
        ".github", ".gitignore", ".gitmodules", "git", ".gitx", "git~2", "gitfoo", ".git-hooks", "...", "a..b",
        "agent.py", "x.git", "\u{1B}[2J.py",
    ])
    func namesGitAccepts(_ name: String) {
        #expect(GitPathRules.problem(name: Array(name.utf8), isLink: false) == nil)
    }

    @Test func gitmodulesIsRefusedOnlyAsALink() {
        for name in [".gitmodules", ".GITMODULES", ".gitmodules .", "gitmod~1", "GI7EBA~1", ".gitm\u{200C}odules"] {
            #expect(GitPathRules.problem(name: Array(name.utf8), isLink: true) != nil, "\(name)")
            #expect(GitPathRules.problem(name: Array(name.utf8), isLink: false) == nil, "\(name)")
        }
        #expect(GitPathRules.problem(name: Array(".gitmodulesx".utf8), isLink: true) == nil)
    }

    @Test func doctorAgreesWithGitFsck() throws {
        let hostile = try HostileArchive()
        func gitFsckIsClean() throws -> Bool {
            try shell(["git", "--git-dir", hostile.repo, "fsck", "--strict", "--no-dangling"]).status == 0
        }
        #expect(try gitFsckIsClean())
        #expect(try hostile.archive.doctor(repair: false).isHealthy)

        let payload = try hostile.tree([.file("pwned.txt", try hostile.blob("x\n"))])
        let tree = try hostile.seedTree(plus: [.link("evil", try hostile.blob("../outside")), .folder("evil", payload)])
        let planted = try hostile.plant(tree: tree)
        #expect(try !gitFsckIsClean())
        let report = try hostile.archive.doctor(repair: false)
        #expect(!report.isHealthy)
        #expect(report.unsafeVariants == [planted.description])
        #expect(report.problems.contains { $0.hasPrefix("tree \(tree.prefix(12)): evil: a duplicate name") })
        #expect(report.objects > 0)
    }

    @Test func doctorFindsAMissingObjectAndARefToATree() throws {
        let hostile = try HostileArchive()
        let missing = String(repeating: "ab", count: 20)
        let tree = try hostile.seedTree(plus: [.file("ghost.py", missing)])
        let planted = try hostile.plant(tree: tree)
        let report = try hostile.archive.doctor(repair: false)
        #expect(report.problems.contains { $0.contains("ghost.py: its object \(missing) is missing") })
        #expect(report.unsafeVariants == [planted.description])
        #expect(
            try shell(["git", "--git-dir", hostile.repo, "update-ref", "refs/variants/v99", hostile.seed.tree])
                .status == 0)
        #expect(
            try hostile.archive.doctor(repair: false).problems.contains {
                $0 == "refs/variants/v99 points at a tree, not a commit"
            })
    }

    @Test func displayTextLeavesNoControlCharacter() {
        let hostile = "title\u{1B}]0;pwned\u{07} clear\u{1B}[2J csi\u{9B}31m cr\r bs\u{08} del\u{7F} rtl\u{202E}txt"
        let shown = DisplayText.escaped(hostile)
        #expect(!shown.unicodeScalars.contains { DisplayText.needsEscape($0, multiline: false) })
        #expect(shown.contains("\\e]0;pwned\\x07"))
        #expect(shown.contains("\\e[2J"))
        #expect(DisplayText.escaped("line 1\n\tline 2", multiline: true) == "line 1\n\tline 2")
        #expect(DisplayText.escaped("line 1\nline 2") == "line 1\\nline 2")
        #expect(DisplayText.escaped("plain – ünïcode ✓") == "plain – ünïcode ✓")
    }
}
