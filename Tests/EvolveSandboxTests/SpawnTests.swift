import EvolveSupport
import EvolveTestSupport
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

/// `Spawn.run`: the engine's way to run a short tool to its end (git, cc, Slurm's commands, the test lister).
@Suite("Spawn: a command run to its end")
struct SpawnRunTests {
    private func sh(_ script: String) -> Spawn { Spawn.command("/bin/sh", ["-c", script]) }

    @Test func outputStatusAndSignalAreReportedAsAShellWould() throws {
        let merged = try sh("echo out; echo err >&2; exit 3").run()
        #expect(merged.status == 3)
        #expect(merged.text == "out\nerr\n")
        let apart = try sh("echo out; echo err >&2").run(errorOutput: .captured)
        #expect(apart.status == 0)
        #expect(apart.text == "out\n")
        #expect(apart.errorText == "err\n")
        #expect(try sh("echo err >&2").run(errorOutput: .discarded).output.isEmpty)
        #expect(try sh("kill -TERM $$").run().status == 128 + SIGTERM)
    }

    /// A script just written can be open for writing in a child another thread started at that moment (the
    /// kernel then refuses to run it: ETXTBSY); the start waits for that to pass instead of failing.
    @Test func aScriptBrieflyOpenForWritingElsewhereStillStarts() throws {
        let scratch = try Scratch()
        let script = try scratch.write("run.sh", "#!/bin/sh\necho ran\n", executable: true)
        let writer = try Child(
            "/usr/bin/python3",
            [
                "-c", "import sys, time\nf = open(sys.argv[1], 'a')\nopen(sys.argv[2], 'w').close()\ntime.sleep(0.4)",
                script, scratch.file("opened"),
            ])
        defer { writer.stop() }
        for _ in 0..<1000 where !Files.exists(scratch.file("opened")) { usleep(5_000) }
        let finished = try Spawn.command(script, []).run()
        #expect(finished.text == "ran\n")
    }

    @Test func largeOutputOnBothStreamsNeverBlocksTheCommand() throws {
        let finished = try sh("head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2").run(errorOutput: .captured)
        #expect(finished.status == 0)
        #expect(finished.output.count == 300_000)
        #expect(finished.errorOutput.count == 200_000)
    }

    @Test func theCommandGetsNothingAboveDescriptorTwoAndStartsInItsFolder() throws {
        let fd = open("/dev/null", O_RDONLY)  // no close-on-exec, as a careless library leaves one
        defer { close(fd) }
        let folder = try Files.makeTemporaryDirectory(prefix: "spawn-run")
        defer { Files.removeTree(folder) }
        var spawn = sh("ls /proc/self/fd; pwd")
        spawn.directory = folder
        let lines = try spawn.run().text.split(separator: "\n").map(String.init)
        // 0, 1, 2 and the descriptor ls reads /proc/self/fd with.
        #expect(!lines.contains("\(fd)"))
        #expect(lines.filter { Int($0) != nil }.count <= 4, "\(lines)")
        #expect(lines.last == URL(fileURLWithPath: folder).resolvingSymlinksInPath().path || lines.last == folder)
    }

    @Test func aDaemonLeftWithThePipeOpenDoesNotHoldTheCaller() throws {
        let start = ContinuousClock.now
        let finished = try sh("sleep 30 & echo $!").run(timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(finished.status == 0)
        #expect(!finished.timedOut)
        let daemon = pid_t(finished.text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(daemon != nil, "\(finished.text)")
        if let daemon { kill(daemon, SIGKILL) }
    }

    /// The hang that stopped a CI run: a command's wait never returned because a long-lived process, started by
    /// another thread while the command ran, inherited what the wait watched.
    @Test func aProcessAnotherThreadStartsMeanwhileInheritsNothingOfTheCommand() async throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "spawn-run")
        defer { Files.removeTree(folder) }
        // The command names its output pipe, then waits until the test says go.
        let script =
            "p=$(readlink /proc/$$/fd/1); echo $p > \(folder)/pipe; until [ -e \(folder)/go ]; do sleep 0.02; done; echo done"
        async let finished = offThread { try sh(script).run(timeout: .seconds(600)) }
        // On a thread of its own: a Task.sleep can last tens of seconds while the suite fills the pool.
        let (pipeName, heldByBystander) = try await offThread { () -> (String, [String]) in
            var pipeName = ""
            for _ in 0..<60000 where pipeName.isEmpty {
                pipeName =
                    (try? String(contentsOfFile: "\(folder)/pipe", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if pipeName.isEmpty { usleep(10_000) }
            }
            // Started while the command runs, without closing anything, as a careless spawner would.
            let bystander = try Spawn(executable: "/bin/sleep", arguments: ["/bin/sleep", "30"]).start()
            defer {
                kill(bystander, SIGKILL)
                Spawn.reap(bystander)
            }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(bystander)/fd")) ?? []
            return (
                pipeName,
                fds.compactMap {
                    try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(bystander)/fd/\($0)")
                }
            )
        }
        try Files.writeAtomically(Data(), to: "\(folder)/go")
        let result = try await finished
        #expect(pipeName.hasPrefix("pipe:"), "\(pipeName)")
        #expect(!heldByBystander.contains(pipeName), "the bystander holds the command's pipe")
        #expect(result.text == "done\n")
        #expect(!result.timedOut)
    }

    @Test func aCommandPastItsTimeIsKilledWithItsChildren() throws {
        let start = ContinuousClock.now
        let finished = try sh("sleep 30 & sleep 30; echo never").run(timeout: .milliseconds(300))
        #expect(finished.timedOut)
        #expect(finished.status == 128 + SIGKILL)
        #expect(!finished.text.contains("never"))
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func aCommandThatCannotStartIsAnErrorThatNamesIt() throws {
        #expect(throws: EvolveError.self) { try Spawn.command("/nonexistent/tool", []).run() }
    }

    private func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
