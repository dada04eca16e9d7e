import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveSandbox

/// The private copy of the host's `/etc` files that a sandbox binds as one folder.
@Suite("The /etc snapshot")
struct EtcSnapshotTests {
    /// A fake host: a file (mode 0640), a link, and a folder with a file and a link in it.
    func host(_ scratch: Scratch) throws -> [String] {
        let file = try scratch.write("host/hosts", "127.0.0.1 localhost\n")
        chmod(file, 0o640)
        symlink("/usr/share/zoneinfo/Etc/UTC", scratch.file("host/localtime"))
        _ = try scratch.write("host/conf.d/a.conf", "/opt/lib\n")
        symlink("a.conf", scratch.file("host/conf.d/b.conf"))
        return ["hosts", "localtime", "conf.d", "missing"].map { scratch.file("host/\($0)") }
    }

    @Test func copiesFilesLinksAndFoldersWithTheirModes() throws {
        let scratch = try Scratch()
        let snapshot = EtcSnapshot(sources: try host(scratch), cache: scratch.file("cache/sandbox-etc"))
        let folder = try #require(snapshot.prepare())
        #expect(folder.hasPrefix(scratch.file("cache/sandbox-etc/etc-")))
        #expect(try String(contentsOfFile: "\(folder)/hosts", encoding: .utf8) == "127.0.0.1 localhost\n")
        var info = stat()
        #expect(lstat("\(folder)/hosts", &info) == 0 && info.st_mode & 0o7777 == 0o640)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/localtime")
                == "/usr/share/zoneinfo/Etc/UTC")
        #expect(try String(contentsOfFile: "\(folder)/conf.d/a.conf", encoding: .utf8) == "/opt/lib\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/conf.d/b.conf") == "a.conf")
        #expect(!Files.exists("\(folder)/missing"))
        // The cache is private and holds nothing but the snapshot.
        #expect(UserCache.isPrivate(scratch.file("cache/sandbox-etc")))
        #expect(Files.entries(scratch.file("cache/sandbox-etc")) == [(folder as NSString).lastPathComponent])
    }

    @Test func theSameFilesReuseTheSnapshotAndAChangeMakesANewOne() throws {
        let scratch = try Scratch()
        let sources = try host(scratch)
        let snapshot = EtcSnapshot(sources: sources, cache: scratch.file("cache"))
        let first = try #require(snapshot.prepare())
        #expect(snapshot.prepare() == first)

        _ = try scratch.write("host/conf.d/a.conf", "/opt/other\n")
        let second = try #require(snapshot.prepare())
        #expect(second != first)
        #expect(try String(contentsOfFile: "\(second)/conf.d/a.conf", encoding: .utf8) == "/opt/other\n")
        // The old snapshot is left as it was, for a sandbox that may still have it bound.
        #expect(try String(contentsOfFile: "\(first)/conf.d/a.conf", encoding: .utf8) == "/opt/lib\n")

        chmod(scratch.file("host/hosts"), 0o644)  // a mode is part of what a snapshot is
        #expect(try #require(snapshot.prepare()) != second)
    }

    @Test func aSnapshotOthersMayWriteToIsNeverUsed() throws {
        let scratch = try Scratch()
        let snapshot = EtcSnapshot(sources: try host(scratch), cache: scratch.file("cache"))
        let folder = try #require(snapshot.prepare())
        chmod(folder, 0o777)
        #expect(snapshot.prepare() == nil)  // the sandbox then binds the host's files one by one

        // A cache folder others may write to is refused too, before anything is written into it.
        let open = try scratch.makeFolder("open")
        chmod(open, 0o777)
        #expect(EtcSnapshot(sources: try host(scratch), cache: open).prepare() == nil)
        #expect(Files.entries(open) == [])
    }

    @Test func noSourcesOrNoHomeMeansNoSnapshot() throws {
        let scratch = try Scratch()
        #expect(EtcSnapshot(sources: [scratch.file("nothing")], cache: scratch.file("cache")).prepare() == nil)
        #expect(EtcSnapshot.defaultCache(environment: [:]) == nil)
        #expect(EtcSnapshot.defaultCache(environment: ["HOME": "/"]) == nil)
        #expect(EtcSnapshot.defaultCache(environment: ["HOME": "/home/u"]) == "/home/u/.cache/evolve/sandbox-etc")
        #expect(
            EtcSnapshot.defaultCache(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/c"])
                == "/c/evolve/sandbox-etc")
    }

    @Test func theSandboxBindsOneFolderAtEtcAndProgramsStillRun() async throws {
        let scratch = try Scratch()
        let workspace = try scratch.makeFolder("workspace")
        let arguments = try Sandbox().bwrapArguments(
            for: SandboxSpec(command: .shell("true"), workspace: workspace, limits: SandboxLimits(timeoutSeconds: 5)))
        let binds = arguments.indices.filter { arguments[$0] == "--ro-bind" }.map { arguments[$0 + 2] }
        #expect(binds.filter { $0.hasPrefix("/etc") } == ["/etc"], "\(binds)")

        let marker = uniqueMarker("evolve-etc")
        let result = try await sandboxed(
            "test -s /etc/ld.so.cache && echo cache; ls /etc/alternatives >/dev/null && echo alternatives; "
                + "touch /etc/\(marker) 2>/dev/null || echo read-only; python3 -c 'print(6 * 7)'")
        #expect(result.output.contains("cache"), "\(result.output)")
        #expect(result.output.contains("alternatives"))
        #expect(result.output.contains("read-only"))
        #expect(result.output.contains("42"))
        let source = try #require(arguments.firstIndex(of: "/etc").map { arguments[$0 - 1] })
        #expect(!Files.exists("\(source)/\(marker)"))
    }
}
