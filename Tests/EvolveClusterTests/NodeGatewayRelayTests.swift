import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// The node-side relay of a step whose gateway is on TCP: a private Unix socket on the node, every byte
/// forwarded to the gateway's endpoint, bounded, and gone with the step (no cluster needed).
@Suite("Node gateway relay")
struct NodeGatewayRelayTests {
    @Test func everyByteIsForwardedBothWaysAndAHalfCloseIsPassedOn() async throws {
        let scratch = try Scratch()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let relay = try NodeGatewayRelay(to: echo.endpoint, temporaryFolder: scratch.path)
        defer { relay.stop() }
        // Three clients at once, each 1 MiB of every byte value; each closes its writing half and reads the
        // echo to the end: the same bytes come back, and the end of the stream too.
        let out = try PythonPeer.run(
            """
            import hashlib, os, socket, sys, threading
            results = []
            def client(n):
                data = bytes(range(256)) * 4096 + os.urandom(n)
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                def send():
                    s.sendall(data); s.shutdown(socket.SHUT_WR)
                threading.Thread(target=send).start()
                got = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    got += chunk
                results.append(got == data)
            threads = [threading.Thread(target=client, args=(n,)) for n in (1, 7, 4099)]
            [t.start() for t in threads]; [t.join() for t in threads]
            print("same" if results == [True] * 3 else "different %r" % results)
            """, [relay.socketPath])
        #expect(out == "same")
        #expect(relay.bytesForwarded >= 2 * 3 * (1 << 20))
    }

    @Test func theFolderIsPrivateOffTheSharedFolderAndGoesWithTheRelay() throws {
        let scratch = try Scratch()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let relay = try NodeGatewayRelay(to: echo.endpoint, temporaryFolder: scratch.path)
        var st = stat()
        #expect(stat(relay.folder, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(relay.folder.hasPrefix(scratch.path + "/evolve-node-relay.\(getpid())."))
        #expect(StepFolder.isSocket(relay.socketPath))
        relay.stop()
        #expect(!Files.exists(relay.folder))
        relay.stop()  // twice is fine
    }

    @Test func connectionsPastTheCapAreClosedAtOnce() throws {
        let scratch = try Scratch()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let relay = try NodeGatewayRelay(
            to: echo.endpoint, limits: NodeRelayLimits(maxConnections: 2), temporaryFolder: scratch.path)
        defer { relay.stop() }
        let out = try PythonPeer.run(
            """
            import socket, sys
            held = []
            for _ in range(2):
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"x")
                assert s.recv(1) == b"x"
                held.append(s)
            third = socket.socket(socket.AF_UNIX); third.connect(sys.argv[1]); third.settimeout(10)
            try:
                third.sendall(b"y")
                print("closed" if third.recv(1) == b"" else "served")
            except OSError:
                print("closed")
            """, [relay.socketPath])
        #expect(out == "closed")
        #expect(relay.refusedConnections == 1)
    }

    @Test func aConnectionPastItsByteCapIsCut() throws {
        let scratch = try Scratch()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let cap = 1 << 20
        let relay = try NodeGatewayRelay(
            to: echo.endpoint, limits: NodeRelayLimits(maxBytesPerConnection: cap), temporaryFolder: scratch.path)
        defer { relay.stop() }
        // 16 MiB pushed; the relay cuts the connection after about 1 MiB each way.
        let out = try PythonPeer.run(
            """
            import socket, sys, threading
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
            def send():
                try:
                    s.sendall(b"A" * (16 << 20))
                except OSError:
                    pass
            threading.Thread(target=send, daemon=True).start()
            got = 0
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    got += len(chunk)
            except OSError:
                pass
            print(got)
            """, [relay.socketPath])
        let echoed = try #require(Int(out))
        #expect(echoed <= cap, "bytes echoed through a connection capped at \(cap): \(echoed)")
        #expect(relay.bytesForwarded < 3 * cap)
    }

    @Test func foldersOfDeadRelaysAreRemovedAndLiveOnesKept() throws {
        let scratch = try Scratch()
        let dead = try PythonPeer.deadProcessID()
        let stale = scratch.path + "/evolve-node-relay.\(dead).abc123"
        let live = scratch.path + "/evolve-node-relay.1.abc123"  // init: alive, and not ours to judge
        let another = scratch.path + "/evolve-node-relay.\(dead)"  // not a name the relay makes
        for folder in [stale, live, another] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "x".write(toFile: folder + "/gateway.sock", atomically: true, encoding: .utf8)
        }
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let relay = try NodeGatewayRelay(to: echo.endpoint, temporaryFolder: scratch.path)
        defer { relay.stop() }
        #expect(!Files.exists(stale))
        #expect(Files.exists(live))
        #expect(Files.exists(another))
    }

    @Test func aGatewayHostThatDoesNotResolveIsAClearError() throws {
        let gateway = StepGateway(host: "no-such-host.invalid", port: 1, socketInSandbox: "/run/evolve/gateway.sock")
        #expect {
            _ = try NodeGatewayRelay(to: gateway)
        } throws: { "\($0)".contains("cannot resolve the gateway's host 'no-such-host.invalid'") }
    }
}

// MARK: - Peers in Python (no C sockets in the tests)

/// Helpers that run Python peers: a TCP echo server standing in for the gateway, and clients.
enum PythonPeer {
    /// A TCP echo server on 127.0.0.1 that echoes each connection until it closes its writing half.
    final class EchoServer {
        let process: Child
        let endpoint: StepGateway

        init(process: Child, port: UInt16) {
            self.process = process
            endpoint = StepGateway(host: "127.0.0.1", port: port, socketInSandbox: "/run/evolve/gateway.sock")
        }

        func stop() { process.stop() }
    }

    static func echoServer() throws -> EchoServer {
        let script = """
            import socket, sys, threading
            server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(64)
            print(server.getsockname()[1], flush=True)
            def serve(c):
                try:
                    while True:
                        data = c.recv(65536)
                        if not data: break
                        c.sendall(data)
                    c.shutdown(socket.SHUT_WR)
                except OSError:
                    pass  # the relay cut the connection (the byte cap)
                c.close()
            while True:
                c, _ = server.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """
        let process = try Child("/usr/bin/python3", ["-c", script], output: .pipe)
        var line = Data()
        while !line.contains(10), let byte = try process.output?.read(upToCount: 1), !byte.isEmpty {
            line.append(byte)
        }
        guard let port = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.stop()
            throw EvolveError(.io, "the echo server printed no port")
        }
        return EchoServer(process: process, port: port)
    }

    /// Runs a Python client script with `arguments`; its standard output, trimmed.
    static func run(_ script: String, _ arguments: [String]) throws -> String {
        let out = try SlurmClient.runNow("/usr/bin/python3", ["-c", script] + arguments)
        return out.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The id of a process that has ended (and been reaped).
    static func deadProcessID() throws -> Int32 {
        let process = try Child("/bin/true", [])
        process.wait()
        return process.pid
    }
}
