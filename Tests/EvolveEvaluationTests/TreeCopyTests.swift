import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@Suite("Bounded tree copy")
struct TreeCopyTests {
    let roomy = TreeCopyLimits(maxTotalBytes: 1 << 30, maxFileBytes: 64 << 20)

    /// The entry names of a folder as raw bytes (names need not be UTF-8).
    func names(_ path: String) throws -> Set<FileName> {
        var found = Set<FileName>()
        try DirectoryHandle.open(path: path).forEachEntry { name, _ in
            found.insert(name)
            return true
        }
        return found
    }

    @Test func copiesFilesFoldersAndLinksAndLeavesSpecialFilesOut() throws {
        let scratch = try Scratch()
        try buildTree(
            in: scratch.path,
            #"""
            import os, socket
            os.makedirs("src/pkg/tests"); os.makedirs("src/tests")
            open("src/main.py", "w").write("print('hi')\n")
            open("src/run.sh", "w").write("#!/bin/sh\n"); os.chmod("src/run.sh", 0o755)
            open("src/pkg/tests/t.py", "w").write("nested tests stay\n")
            open("src/tests/planted.py", "w").write("top-level tests go\n")
            with open(b"src/\xff\nname", "wb") as f: f.write(b"bytes")
            os.symlink("/etc/passwd", "src/passwd"); os.symlink("loop-b", "src/loop-a"); os.symlink("loop-a", "src/loop-b")
            os.mkfifo("src/fifo")
            s = socket.socket(socket.AF_UNIX); s.bind("src/sock")
            import stat
            try: os.mknod("src/null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
            except OSError: os.mkfifo("src/null")  # no CAP_MKNOD: a third special file all the same
            """#)
        let summary = try TreeCopy.copy(
            from: scratch.file("src"), to: scratch.file("dst"), limits: roomy, skippingTopLevel: ["tests"])

        let dst = scratch.file("dst")
        var expected = Set(["main.py", "run.sh", "pkg", "passwd", "loop-a", "loop-b"].map { Array($0.utf8) })
        expected.insert([0xff, 0x0a] + Array("name".utf8))
        #expect(try names(dst) == expected, "tests/ and special files are left out; a byte name is kept")
        #expect(try String(contentsOfFile: "\(dst)/main.py", encoding: .utf8) == "print('hi')\n")
        #expect(FileManager.default.isExecutableFile(atPath: "\(dst)/run.sh"), "the executable bit is kept")
        #expect(!FileManager.default.isExecutableFile(atPath: "\(dst)/main.py"))
        #expect(Files.exists("\(dst)/pkg/tests/t.py"), "only the top-level tests/ is left out")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(dst)/passwd") == "/etc/passwd")
        #expect(try FileStatus.of(path: "\(dst)/passwd")?.kind == .symlink, "a link stays a link")
        #expect(try FileStatus.of(path: "\(dst)/loop-a")?.kind == .symlink)
        #expect(summary.skippedSpecialFiles == 3, "the FIFO, the socket and the device are left out")
        #expect(summary.files == 4)
        #expect(summary.symlinks == 3)
    }

    @Test func eachLimitStopsTheCopyAndSaysWhere() throws {
        let scratch = try Scratch()
        try buildTree(
            in: scratch.path,
            """
            import os
            os.makedirs("deep/" + "/".join(["d"] * 10))
            os.mkdir("many")
            for i in range(100): open("many/f%d" % i, "w").close()
            os.mkdir("big"); open("big/a", "w").write("x" * 600); open("big/b", "w").write("x" * 600)
            os.mkdir("sparse")
            with open("sparse/huge", "wb") as f: f.truncate(10 * 1024 ** 3)
            """)
        func copyError(_ name: String, _ limits: TreeCopyLimits) -> TreeCopyError? {
            do {
                try TreeCopy.copy(
                    from: scratch.file(name), to: scratch.file("out-\(name)-\(UUID().uuidString)"), limits: limits)
                return nil
            } catch {
                return error as? TreeCopyError
            }
        }
        let depth = copyError("deep", TreeCopyLimits(maxDepth: 5, maxTotalBytes: 1 << 20, maxFileBytes: 1 << 20))
        #expect(depth?.limit == .depth)
        #expect(depth?.path == "d/d/d/d/d/d")
        let entries = copyError("many", TreeCopyLimits(maxEntries: 50, maxTotalBytes: 1 << 20, maxFileBytes: 1 << 20))
        #expect(entries?.limit == .entries)
        #expect(entries?.description.contains("more than 50 entries") == true)
        let total = copyError("big", TreeCopyLimits(maxTotalBytes: 1000, maxFileBytes: 1000))
        #expect(total?.limit == .totalBytes)
        let file = copyError("sparse", roomy)
        #expect(file?.limit == .fileBytes)
        #expect(file?.path == "huge")
        // Within the limits, each copies.
        #expect(copyError("big", TreeCopyLimits(maxTotalBytes: 1200, maxFileBytes: 600)) == nil)
    }

    @Test func aSparseFileStaysSparse() throws {
        let scratch = try Scratch()
        try buildTree(
            in: scratch.path,
            """
            import os
            os.mkdir("src")
            with open("src/sparse", "wb") as f:
                f.write(b"head"); f.seek(48 * 1024 * 1024); f.write(b"tail")
            """)
        try TreeCopy.copy(from: scratch.file("src"), to: scratch.file("dst"), limits: roomy)
        let copy = try #require(FileManager.default.contents(atPath: scratch.file("dst/sparse")))
        #expect(copy.count == 48 * 1024 * 1024 + 4)
        #expect(copy.prefix(4) == Data("head".utf8))
        #expect(copy.suffix(4) == Data("tail".utf8))
        var st = stat()
        #expect(lstat(scratch.file("dst/sparse"), &st) == 0)
        #expect(Int(st.st_blocks) * 512 < 1 << 20, "the holes are not written out")
    }

    @Test func aTreeDeeperThanPathMaxStopsAtTheDepthLimit() throws {
        let scratch = try Scratch()
        try buildTree(in: scratch.path, hostileTreeScript)
        #expect {
            try TreeCopy.copy(from: scratch.file("hostile"), to: scratch.file("copy"), limits: roomy)
        } throws: { error in
            let limit = (error as? TreeCopyError)?.limit
            return limit == .depth || limit == .fileBytes
        }
        try TreeRemoval.remove(scratch.file("hostile"))
        try TreeRemoval.remove(scratch.file("copy"))
    }
}
