import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Runs a Python script on the host (to build hostile trees: byte names, FIFOs, sockets, deep folders);
/// `$1` of the script is `folder`.
func buildTree(in folder: String, _ script: String) throws {
    let python = Spawn.command("/usr/bin/python3", ["-c", script, folder], directory: folder)
    let finished = try python.run(errorOutput: .captured, timeout: .seconds(300))
    guard finished.status == 0 else { throw EvolveError(.io, "the fixture script failed: \(finished.errorText)") }
}

/// Everything a hostile program can leave in a folder on Linux without privileges, made under `root/hostile`.
/// `outside` is a folder next to it that links point at (its file `keep` must survive any removal).
let hostileTreeScript = #"""
    import os, socket, sys
    root = sys.argv[1]
    os.makedirs("outside", exist_ok=True)
    open("outside/keep", "w").write("keep")
    os.mkdir("hostile"); os.chdir("hostile")
    # Deeper than PATH_MAX (4096): 2100 levels of "d/".
    here = os.open(".", os.O_RDONLY)
    for _ in range(2100):
        os.mkdir("d"); os.chdir("d")
    open("bottom", "w").write("deep")
    os.fchdir(here)
    # Names that are not UTF-8, with a newline, an escape sequence, control characters.
    for name in [b"\xff\xfe", b"new\nline", b"\x1b[31mred\x1b[0m", b"tab\tand\x01ctl", b"-rf"]:
        with open(name, "wb") as f: f.write(b"x")
    os.mkdir(b"dir\xff"); open(b"dir\xff/inner\xfe", "w").write("x")
    # Special files: a FIFO, a listening socket, a device node (when allowed).
    os.mkfifo("fifo")
    s = socket.socket(socket.AF_UNIX); s.bind("sock")
    import stat
    try: os.mknod("null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError: pass  # no CAP_MKNOD
    # Links: a loop, to /etc/passwd, to the folder outside, to the parent, dangling.
    os.symlink("loop-b", "loop-a"); os.symlink("loop-a", "loop-b")
    os.symlink("/etc/passwd", "passwd")
    os.symlink(root + "/outside", "to-outside")
    os.symlink("..", "up")
    os.symlink("/nonexistent/nowhere", "dangling")
    # A hard link, a sparse 10 GB file, unreadable files and folders (nested, with content).
    open("file", "w").write("x"); os.link("file", "hardlink")
    with open("sparse", "wb") as f: f.truncate(10 * 1024 ** 3)
    os.makedirs("locked/inner"); open("locked/inner/f", "w").write("x"); open("locked/g", "w").write("x")
    os.chmod("locked/inner", 0); os.chmod("locked", 0)
    open("unreadable", "w").write("x"); os.chmod("unreadable", 0)
    os.makedirs("readonly/sub"); open("readonly/sub/f", "w").write("x"); os.chmod("readonly", 0o500)
    """#

@Suite("Tree removal")
struct TreeRemovalTests {
    @Test func removesEverythingAHostileProgramCanLeave() throws {
        let scratch = try Scratch()
        try buildTree(in: scratch.path, hostileTreeScript)
        let hostile = scratch.file("hostile")
        // Foundation's removal, which the engine used before, gives up on such a tree.
        #expect(throws: (any Error).self) { try FileManager.default.removeItem(atPath: hostile) }
        #expect(Files.exists(hostile))

        try TreeRemoval.remove(hostile)
        #expect(!Files.exists(hostile))
        #expect((try? String(contentsOfFile: scratch.file("outside/keep"), encoding: .utf8)) == "keep")
        #expect(Files.exists("/etc/passwd"), "a link is removed, never followed")
    }

    @Test func removesAManyFilesFolderAndAPlainFile() throws {
        let scratch = try Scratch()
        try buildTree(
            in: scratch.path,
            """
            import os
            os.mkdir("many")
            for i in range(20000): open("many/f%d" % i, "w").close()
            open("single", "w").write("x")
            os.symlink("many", "link")
            """)
        try TreeRemoval.remove(scratch.file("link"))
        #expect(!Files.exists(scratch.file("link")))
        #expect(Files.entries(scratch.file("many"))?.count == 20000, "removing a link leaves its target alone")
        try TreeRemoval.remove(scratch.file("many"))
        try TreeRemoval.remove(scratch.file("single"))
        try TreeRemoval.remove(scratch.file("never-there"))
        #expect(Files.entries(scratch.path) == [])
    }
}
