import EvolveSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The one spawner every hand-started process goes through (bubblewrap, the llama-server watchdog): what the
/// child gets is exactly what the spawn says, and nothing of the engine it does not say.
@Suite("Spawn")
struct SpawnTests {
    /// Runs `script` with /bin/sh (empty environment unless `configure` says otherwise, stdout and stderr to
    /// a file) and returns what it printed and its exit status.
    private func run(_ script: String, configure: (inout Spawn) -> Void = { _ in }) throws
        -> (output: String, status: Int32)
    {
        let folder = try Files.makeTemporaryDirectory(prefix: "spawn-test")
        defer { Files.removeTree(folder) }
        let out = folder + "/out"
        var spawn = Spawn(
            executable: "/bin/sh", arguments: ["/bin/sh", "-c", script], environment: [],
            fileActions: [.open(1, path: out, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600), .duplicate(1, to: 2)])
        configure(&spawn)
        let pid = try spawn.start()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (status >> 8) & 0xff)
    }

    @Test func aDescriptorTheEngineLeftOpenIsClosedInTheChildWhenAsked() throws {
        // A descriptor without close-on-exec, as a careless library would leave one (a database, a socket).
        let fd = open("/dev/null", O_RDONLY)
        #expect(fd > 2)
        defer { close(fd) }
        let probe = "if [ -e /proc/self/fd/\(fd) ]; then echo open; else echo closed; fi"
        #expect(try run(probe).output == "open\n")  // the hazard: without closing, the child inherits it
        #expect(try run(probe) { $0.closeDescriptorsFrom = 3 }.output == "closed\n")
    }

    @Test func theChildSeesOnlyTheEnvironmentItIsGiven() throws {
        let result = try run("") {
            $0.executable = "/usr/bin/env"
            $0.arguments = ["env"]
            $0.environment = ["ONLY=given"]
        }
        #expect(result.output == "ONLY=given\n")
    }

    @Test func theChildLeadsItsOwnProcessGroupWhenAsked() throws {
        for own in [false, true] {
            let spawn = Spawn(
                executable: "/bin/sleep", arguments: ["/bin/sleep", "30"], environment: [],
                fileActions: [.open(0, path: "/dev/null", flags: O_RDONLY)], newProcessGroup: own)
            let pid = try spawn.start()
            let group = getpgid(pid)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            #expect(group == (own ? pid : getpgrp()))
        }
    }

    @Test func aProgramThatCannotStartIsAnErrorThatNamesIt() throws {
        let spawn = Spawn(executable: "/nonexistent/agent-runner", arguments: ["agent-runner"])
        #expect {
            _ = try spawn.start(errorKind: .sandbox, naming: "the runner")
        } throws: { error in
            guard let error = error as? EvolveError else { return false }
            return error.kind == .sandbox && error.message.hasPrefix("cannot start the runner: ")
        }
    }
}

@Suite("Locked value")
struct LockedTests {
    @Test func incrementsFromManyTasksAreAllCountedOnce() async {
        let counter = Locked(0)
        await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { (0..<500).map { _ in counter.increment() } } }
            var seen: [Int] = []
            for await numbers in group { seen += numbers }
            #expect(seen.sorted() == Array(1...4000))
        }
        #expect(counter.current == 4000)
    }
}
