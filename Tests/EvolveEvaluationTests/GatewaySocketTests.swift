import EvolveArchive
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveEvaluation
@testable import EvolveTasks

/// The gateway's socket is shared by every sandbox: one agent must not be able to cut the others off it.
@Suite("The gateway socket in the sandbox")
struct GatewaySocketTests {
    /// A stand-in gateway on a Unix socket that answers each connection with "pong"; stopped by `stop()`.
    final class PongServer {
        let process: Child

        init(socket: String) throws {
            process = try Child(
                "/usr/bin/python3",
                [
                    "-c",
                    """
                    import os, socket, sys
                    path = sys.argv[1]
                    s = socket.socket(socket.AF_UNIX)
                    s.bind(path)
                    os.chmod(path, 0o666)
                    s.listen(16)
                    while True:
                        c, _ = s.accept()
                        c.sendall(b"pong")
                        c.close()
                    """,
                    socket,
                ])
            for _ in 0..<500 where !Files.exists(socket) { usleep(10_000) }
        }

        /// SIGKILL: the test process may block SIGTERM, and a child inherits the mask.
        func stop() { process.stop() }
    }

    @Test
    func anAgentThatChmodsRemovesOrMovesTheSocketCutsNoOneOff() async throws {
        let scratch = try Scratch()
        let socket = scratch.file("gw/gateway.sock")
        try FileManager.default.createDirectory(atPath: scratch.file("gw"), withIntermediateDirectories: true)
        let server = try PongServer(socket: socket)
        defer { server.stop() }
        #expect(Files.exists(socket))
        // A stand-in relay: runs the command after "--" (the agents talk to the socket directly).
        let relay = try scratch.write(
            "relay.py", "import os, sys\ni = sys.argv.index('--')\nos.execvp(sys.argv[i + 1], sys.argv[i + 1:])\n")
        let gateway = GatewayAccess(socketPath: socket, relayScriptPath: relay) { key in "token-\(key)" }
        let probe = """
            python3 -c '
            import socket
            c = socket.socket(socket.AF_UNIX)
            try:
                c.connect("/run/evolve/gateway.sock")
                print("reached:", c.recv(16).decode())
            except OSError as e:
                print("unreachable:", e)
            '
            """
        let vandal = try scratch.shellAgent(
            "vandal",
            script: """
                \(probe)
                chmod 000 /run/evolve/gateway.sock && echo chmod-worked
                rm -f /run/evolve/gateway.sock && echo rm-worked
                mv /run/evolve/gateway.sock /tmp/moved.sock && echo mv-worked
                ln -sf /dev/null /run/evolve/gateway.sock && echo ln-worked
                exit 0
                """)
        let honest = try scratch.shellAgent("honest", script: probe + "\n")
        let suite = try scratch.smokeSuite()

        let first = try await evaluate(
            try scratch.archive(seed: vandal), suite: suite, tasks: ["s01-add"], gateway: gateway)
        let vandalLog = first.log("s01-add")
        #expect(vandalLog.contains("reached: pong"))
        for attack in ["chmod-worked", "rm-worked", "mv-worked", "ln-worked"] {
            #expect(!vandalLog.contains(attack), "the agent's \(attack) in:\n\(vandalLog)")
        }

        let second = try await evaluate(
            try scratch.archive(seed: honest), suite: suite, tasks: ["s01-add"], gateway: gateway)
        #expect(second.log("s01-add").contains("reached: pong"), "\(second.log("s01-add"))")
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o666)
    }
}
