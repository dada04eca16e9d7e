import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// What a sandboxed step can and cannot see or touch.
@Suite("Sandbox isolation")
struct SandboxIsolationTests {
    @Test func runsACommandAndCapturesBothStreams() async throws {
        let result = try await sandboxed("echo out; echo err >&2; exit 3")
        #expect(result.termination == .exited)
        #expect(result.exitStatus == 3)
        #expect(result.output.contains("out"))
        #expect(result.output.contains("err"))
        #expect(!result.succeeded)
        #expect(result.outputBytesDropped == 0)
    }

    /// No variable of the test process reaches the sandbox. (The test reads the host's environment rather than
    /// setting a variable of its own: `setenv` while other tests start processes races with their copy of the
    /// environment, and once crashed the whole test run.)
    @Test func environmentIsBuiltFromNothing() async throws {
        let result = try await sandboxed("env", environment: ["EVOLVE_TASK_FILE": "/task/prompt.md"])
        let names = Set(
            result.output.split(separator: "\n").compactMap { $0.split(separator: "=", maxSplits: 1).first }.map(
                String.init))
        #expect(names.contains("EVOLVE_TASK_FILE"))
        #expect(names.contains("PATH"))
        let allowed = Set(SandboxSpec.baseEnvironment.keys).union(["EVOLVE_TASK_FILE", "PWD", "SHLVL", "_"])
        #expect(names.isSubset(of: allowed), "unexpected variables: \(names.subtracting(allowed))")
        for (name, value) in ProcessInfo.processInfo.environment where !allowed.contains(name) && value.count >= 3 {
            #expect(!result.output.contains("\(name)=\(value)"), "the host's \(name) leaked in")
        }
    }

    @Test func workspaceIsWritableAndTheWorkingDirectory() async throws {
        let scratch = try Scratch()
        let result = try await sandboxed("pwd; echo made > made.txt", in: scratch)
        #expect(result.succeeded)
        #expect(result.output.contains("/work"))
        #expect((try? String(contentsOfFile: scratch.file("workspace/made.txt"), encoding: .utf8)) == "made\n")
    }

    @Test func systemFoldersAreReadOnlyEvenAfterARemount() async throws {
        let marker = uniqueMarker("evolve-usr")
        let result = try await sandboxed(
            "mount -o remount,rw,bind /usr 2>&1; touch /usr/\(marker) 2>&1; touch /etc/\(marker) 2>&1; echo done")
        #expect(result.output.contains("done"))
        #expect(!Files.exists("/usr/\(marker)"))
        #expect(!Files.exists("/etc/\(marker)"))
    }

    @Test func hostFoldersAreNotVisible() async throws {
        let marker = uniqueMarker("evolve-host-tmp")
        let hostFile = "/tmp/\(marker)"
        try "host".write(toFile: hostFile, atomically: true, encoding: .utf8)
        defer { unlink(hostFile) }
        let result = try await sandboxed(
            "for p in /tmp/\(marker) /root /home /work/../root /sys/fs/cgroup; do test -e $p && echo SEEN $p; done; "
                + "echo x > /tmp/inside && echo tmp-writable; ls /")
        #expect(!result.output.contains("SEEN"), "\(result.output)")
        #expect(result.output.contains("tmp-writable"))
        #expect(!Files.exists("/tmp/inside") || (try? String(contentsOfFile: "/tmp/inside", encoding: .utf8)) != "x\n")
    }

    @Test func runsAsAnUnprivilegedUserWithoutCapabilities() async throws {
        let result = try await sandboxed("id -u; grep CapEff /proc/self/status")
        #expect(result.output.contains("1000"))
        #expect(result.output.contains("CapEff:\t0000000000000000"))
    }

    @Test func theTerminalIsOutOfReach() async throws {
        // /dev/tty (5:0, the controlling terminal) is replaced by an unusable node, whatever the engine's terminal.
        let result = try await sandboxed("stat -c 'dev %t:%T' /dev/tty; echo hello > /dev/tty || echo refused")
        #expect(result.output.contains("dev "))
        #expect(!result.output.contains("dev 5:0"))
        #expect(result.output.contains("refused"))
    }

    @Test func cannotReachAListenerOnTheHostLoopback() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let script = """
            python3 -c '
            import socket
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", \(listener.port)))
                s.sendall(b"escaped")
                print("CONNECTED")
            except OSError as e:
                print("refused:", e)
            '
            """
        let result = try await sandboxed(script)
        #expect(result.output.contains("refused"))
        #expect(!result.output.contains("CONNECTED"))
        #expect(listener.acceptedConnections() == 0)
    }

    @Test func anEngineFileDescriptorDoesNotLeakIn() async throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", "descriptor-secret")
        let fd = open(scratch.file("secret.txt"), O_RDONLY)  // deliberately without O_CLOEXEC
        defer { close(fd) }
        let result = try await sandboxed("ls /proc/self/fd; cat /proc/self/fd/\(fd) 2>&1", in: scratch)
        #expect(!result.output.contains("descriptor-secret"))
    }

    @Test func readOnlyBindIsVisibleButNotWritable() async throws {
        let scratch = try Scratch()
        let agent = try scratch.makeFolder("agent")
        try scratch.write("agent/agent.py", "print('hello from the agent')")
        let result = try await sandboxed(
            "python3 /agent/agent.py; echo x >> /agent/agent.py || echo read-only",
            binds: [.init(source: agent, destination: "/agent")], in: scratch)
        #expect(result.output.contains("hello from the agent"))
        #expect(result.output.contains("read-only"))
        #expect((try? String(contentsOfFile: "\(agent)/agent.py", encoding: .utf8)) == "print('hello from the agent')")
    }

    @Test func aMissingBindIsASetupError() async throws {
        await #expect(throws: EvolveError.self) {
            _ = try await sandboxed("true", binds: [.init(source: "/nonexistent/evolve/path", destination: "/x")])
        }
    }
}
