import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// A hostile child as a user meets it on the command line: its text never reaches the terminal as
/// escape sequences, and its tree is never written.
@Suite struct HostileArchiveCLITests {
    let scratch: String
    var archive: String { scratch + "/archive" }
    var repo: String { archive + "/repo.git" }

    init() throws { scratch = try Files.makeTemporaryDirectory(prefix: "evolve-hostile-cli") }

    static let titleAttack = "\u{1B}]0;pwned\u{07}"
    static let clearAttack = "\u{1B}[2J"
    /// The one-character CSI (U+009B) that some terminals honour like ESC [.
    static let eightBitCSI = "\u{9B}31m"

    /// `git` on the archive's repository, with an identity for commits.
    func git(_ arguments: [String]) throws -> String {
        let identity = ["GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t"]
        let result = try run(identity + ["git", "--git-dir", repo] + arguments)
        #expect(result.status == 0, "git \(arguments): \(result.out)")
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = scratch + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Commits `tree` as the next variant with `message` and lets `evolve doctor --repair` index it, as an
    /// archive written by a hostile or older engine would hold it.
    func plant(tree: String, message: String, id: String) async throws {
        let v0 = try git(["rev-parse", "refs/variants/v0"])
        let commit = try git(["commit-tree", tree, "-p", v0, "-F", try write("message-\(id)", Array(message.utf8))])
        _ = try git(["update-ref", "refs/variants/\(id)", commit])
        _ = try await evolve(["doctor", "--repair", "--archive", archive])
    }

    @Test func showListAndLineagePrintNoEscapeFromAChild() async throws {
        defer { Files.removeTree(scratch) }
        let seed = scratch + "/seed"
        try FileManager.default.createDirectory(atPath: seed, withIntermediateDirectories: true)
        try Data("name: hostile\nrun: python3 agent.py\n".utf8).write(to: URL(fileURLWithPath: seed + "/agent.yaml"))
        try Data("print('hi')\n".utf8).write(to: URL(fileURLWithPath: seed + "/agent.py"))
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: seed + "/evil\(Self.clearAttack).py"))
        #expect(try await evolve(["init", "--seed", seed, "--archive", archive]).status == 0)

        // v1: a child whose summary, reason and file hold escape sequences.
        let hostileFile = "print('pwned')\n# \(Self.titleAttack) \(Self.clearAttack)\n"
        let blob = try git(["hash-object", "-w", try write("agent-v1.py", Array(hostileFile.utf8))])
        let index = scratch + "/index"
        _ = try run(["GIT_INDEX_FILE=\(index)", "git", "--git-dir", repo, "read-tree", "refs/variants/v0^{tree}"])
        _ = try run([
            "GIT_INDEX_FILE=\(index)", "git", "--git-dir", repo, "update-index", "--cacheinfo",
            "100644,\(blob),agent.py",
        ])
        let tree = try run(["GIT_INDEX_FILE=\(index)", "git", "--git-dir", repo, "write-tree"]).out
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await plant(
            tree: tree,
            message: """
                fix \(Self.titleAttack) the bug \(Self.clearAttack) \(Self.eightBitCSI)

                Variant: v1
                Generation: 1
                Operator: llm
                Parents: v0
                Status: invalid
                Reason: syntax error \(Self.titleAttack)\(Self.clearAttack) in agent.py

                """, id: "v1")

        let commands: [[String]] = [
            ["show", "v1"], ["show", "v0"], ["list"], ["lineage", "v0"], ["lineage", "v1"],
            ["lineage", "v0", "--format", "dot"], ["lineage", "v0", "--format", "json"], ["show", "v1", "--json"],
            ["list", "--json"], ["doctor"],
        ]
        var sawEscapedTitle = false
        for command in commands {
            let result = try await evolve(command + ["--archive", archive])
            #expect(!result.stdout.utf8.contains(0x1B), "\(command) printed an ESC byte")
            #expect(!result.stderr.utf8.contains(0x1B), "\(command) printed an ESC byte on stderr")
            #expect(!result.stdout.utf8.contains(0x07), "\(command) printed a BEL byte")
            #expect(!result.stdout.unicodeScalars.contains("\u{9B}"), "\(command) printed an 8-bit CSI")
            sawEscapedTitle = sawEscapedTitle || result.stdout.contains("\\e]0;pwned\\x07")
        }
        #expect(sawEscapedTitle, "the escaped sequence should stay visible to the reader")
        let show = try await evolve(["show", "v1", "--archive", archive])
        #expect(show.stdout.contains("fix \\e]0;pwned\\x07 the bug \\e[2J"))
        #expect(show.stdout.contains("+# \\e]0;pwned\\x07 \\e[2J"))
        // JSON keeps the exact text, escaped by the encoder (\u001b), and parses back to it.
        let json = try await evolve(["show", "v1", "--json", "--archive", archive])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["summary"] as? String)?.contains(Self.titleAttack + " the bug " + Self.clearAttack) == true)
        #expect((object?["summary"] as? String)?.contains(Self.eightBitCSI) == true)
    }

    @Test func checkoutRefusesALinkThenFolderTreeAndDoctorNamesIt() async throws {
        defer { Files.removeTree(scratch) }
        #expect(try await evolve(["init", "--seed", smokeAgentPath, "--archive", archive]).status == 0)
        try FileManager.default.createDirectory(atPath: scratch + "/outside", withIntermediateDirectories: true)
        try Data("sentinel\n".utf8).write(to: URL(fileURLWithPath: scratch + "/outside/sentinel.txt"))

        let payload = try git(["hash-object", "-w", try write("payload", Array("pwned\n".utf8))])
        let linkTarget = try git(["hash-object", "-w", try write("link", Array("../outside".utf8))])
        func raw(_ mode: String, _ name: String, _ id: String) -> [UInt8] {
            var bytes = Array("\(mode) \(name)".utf8) + [0]
            var i = id.startIndex
            while i < id.endIndex {
                let next = id.index(i, offsetBy: 2)
                bytes.append(UInt8(id[i..<next], radix: 16)!)
                i = next
            }
            return bytes
        }
        let folder = try git([
            "hash-object", "-t", "tree", "--literally", "-w",
            try write("folder-tree", raw("100644", "pwned.txt", payload)),
        ])
        let tree = try git([
            "hash-object", "-t", "tree", "--literally", "-w",
            try write("evil-tree", raw("120000", "evil", linkTarget) + raw("40000", "evil", folder)),
        ])
        try await plant(
            tree: tree, message: "hostile\n\nVariant: v1\nGeneration: 1\nOperator: llm\nParents: v0\n", id: "v1")

        let checkout = try await evolve(["checkout", "v1", "--into", scratch + "/target", "--archive", archive])
        #expect(checkout.status == 1)
        #expect(checkout.stderr.contains("refusing to check out v1"))
        #expect(checkout.stderr.contains("evil: a duplicate name"))
        #expect(!FileManager.default.fileExists(atPath: scratch + "/outside/pwned.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch + "/outside") == ["sentinel.txt"])
        #expect(!FileManager.default.fileExists(atPath: scratch + "/target"))

        let doctor = try await evolve(["doctor", "--repair", "--archive", archive])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("v1: unsafe tree"))
        #expect(doctor.stdout.contains("Unsafe to check out (kept as evidence, never deleted): v1"))
        #expect(try await evolve(["checkout", "v0", "--into", scratch + "/honest", "--archive", archive]).status == 0)
    }
}
