import EvolveArchive
import EvolveSupport
import Foundation
import Testing

@testable import EvolveSearch

/// The search's validation hook: a child whose tree is unsafe to check out is an invalid child with the
/// reason, whichever operator made it (a self-improving agent writes its own folder, links included).
@Suite struct UnsafeChildTests {
    @Test func aChildWithALinkOutOrADotGitIsInvalidWithTheReason() throws {
        let dir = try Files.makeTemporaryDirectory(prefix: "evolve-unsafe-child")
        defer { Files.removeTree(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/seed", withIntermediateDirectories: true)
        try Data("print('hi')\n".utf8).write(to: URL(fileURLWithPath: dir + "/seed/agent.py"))
        let archive = try Archive.create(at: dir + "/archive", seed: dir + "/seed")
        let parent = try archive.variant(VariantID(0))
        let validator = ChildValidator(archive: archive, protectedPaths: [], syntaxCheck: false)

        // An honest child: a changed file and a link inside the folder.
        let child = dir + "/child"
        try FileManager.default.createDirectory(atPath: child, withIntermediateDirectories: true)
        try Data("print('better')\n".utf8).write(to: URL(fileURLWithPath: child + "/agent.py"))
        symlink("agent.py", child + "/main.py")
        #expect(try validator.reasonToReject(tree: try archive.writeTree(fromDirectory: child), parent: parent) == nil)

        // The same child with a link out of its folder, then with a `.GIT` folder.
        symlink("../../../etc", child + "/etc")
        let withLink = try archive.writeTree(fromDirectory: child)
        let linkReason = try validator.reasonToReject(tree: withLink, parent: parent)
        #expect(
            linkReason?.hasPrefix("unsafe tree: etc: a link that leads out of the agent's folder") == true,
            "\(linkReason ?? "nil")")
        unlink(child + "/etc")
        // A `.git` in another spelling: libgit2's tree builder refuses some (the operator then makes an
        // invalid child from the error); whatever it stores, the validator refuses.
        for name in [".GIT", "git~1", ".git.", ".Git "] {
            try FileManager.default.createDirectory(atPath: child + "/" + name, withIntermediateDirectories: true)
            try Data("[core]\n\tfsmonitor = touch pwned\n".utf8)
                .write(to: URL(fileURLWithPath: child + "/" + name + "/config"))
            do {
                let tree = try archive.writeTree(fromDirectory: child)
                let reason = try validator.reasonToReject(tree: tree, parent: parent)
                #expect(reason?.hasPrefix("unsafe tree: \(name): ") == true, "\(name): \(reason ?? "nil")")
            } catch let error as EvolveError {
                #expect(error.kind == .git && error.message.contains("invalid name"), "\(error)")
            }
            Files.removeTree(child + "/" + name)
        }

        // An edit that names such a path is refused before a tree is made.
        #expect(throws: EvolveError.self) {
            try archive.writeTree(base: parent.tree, changes: [".GIT/config": .write("[core]\n")])
        }
        #expect(throws: EvolveError.self) {
            try archive.writeTree(base: parent.tree, changes: ["sub/git~1/hooks/post-checkout": .write("#!/bin/sh\n")])
        }
    }
}
