import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// A stand-in for llama-server that records its pid, answers /health, and never answers a completion (so the
/// search is still waiting on it when the test kills the engine).
private let pidRecordingServer = #"""
    #!/usr/bin/python3
    import os, signal, sys, time
    from http.server import BaseHTTPRequestHandler, HTTPServer
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1])
    with open(os.environ["FAKE_SERVER_PIDS"], "a") as f:
        f.write("%d\n" % os.getpid())
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass
        def do_GET(self):
            body = b'{"status": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_POST(self):
            time.sleep(600)
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

/// The managed llama-server never outlives the engine: not after a normal end, not after `kill -9`.
@Suite("Local model server lifetime", .serialized)
struct LocalModelLifetimeTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func killNineOfTheSearchStopsItsLlamaServer() async throws {
        let seen = try await offThePool { try Self.startSearchThenKillIt() }
        #expect(seen.serverPID > 0, "the fake llama-server never started; the search said:\n\(seen.log)")
        #expect(seen.aliveWhileSearching, "the server should be running while the search runs")
        #expect(!seen.aliveAfterKill, "llama-server (pid \(seen.serverPID)) outlived the engine killed with SIGKILL")
    }

    struct Seen: Sendable {
        var serverPID: pid_t = 0
        var aliveWhileSearching = false
        var aliveAfterKill = false
        var log = ""
    }

    /// Starts a search on the fake server, kills it with SIGKILL once the server is up, and watches the server.
    static func startSearchThenKillIt() throws -> Seen {
        var seen = Seen()
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-lifetime")
        defer { Files.removeTree(folder) }
        let server = "\(folder)/llama-server"
        try Files.writeAtomically(Data(pidRecordingServer.utf8), to: server)
        chmod(server, 0o755)
        try Files.writeAtomically(Data("gguf".utf8), to: "\(folder)/model.gguf")
        let pids = "\(folder)/pids"
        let config = """
            archive: \(folder)/archive
            seed: \(repoRoot)/seeds/agents/demo
            suites: [demo]
            generations: 1
            children: 1
            workers: 1
            operators: [{name: llm, weight: 1.0, format: whole-file}]
            meta_agent: {provider: local, model: smollm2-135m, timeout_s: 600, retries: 0}
            sandbox: {timeout_s: 10, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            """
        try Files.writeAtomically(Data(config.utf8), to: "\(folder)/run.yaml")

        var environment = ProcessInfo.processInfo.environment
        environment["EVOLVE_LLAMA_SERVER"] = server
        environment["EVOLVE_LOCAL_MODEL"] = "\(folder)/model.gguf"
        environment["FAKE_SERVER_PIDS"] = pids
        environment.removeValue(forKey: "EVOLVE_ARCHIVE")
        let process = try Child(
            evolveBinary, ["search", "--config", "\(folder)/run.yaml"], environment: environment, directory: repoRoot,
            errors: .file("\(folder)/log"))
        defer { process.stop() }

        // Wait for the server to be up (its pid written), then kill the engine without warning.
        for _ in 0..<1200 where seen.serverPID == 0 && process.isRunning {
            if let text = try? String(contentsOfFile: pids, encoding: .utf8),
                let line = text.split(separator: "\n").first, let pid = pid_t(line)
            {
                seen.serverPID = pid
            } else {
                usleep(100_000)
            }
        }
        if seen.serverPID > 0 {
            usleep(500_000)
            seen.aliveWhileSearching = isRunning(seen.serverPID)
        }
        process.signal(SIGKILL)
        process.wait()
        seen.log = (try? String(contentsOfFile: "\(folder)/log", encoding: .utf8)) ?? ""
        guard seen.serverPID > 0 else { return seen }

        // The watchdog stops it (SIGTERM at once, SIGKILL after 3 s): allow for a loaded machine.
        seen.aliveAfterKill = true
        for _ in 0..<300 where seen.aliveAfterKill {
            seen.aliveAfterKill = isRunning(seen.serverPID)
            if seen.aliveAfterKill { usleep(100_000) }
        }
        if seen.aliveAfterKill { kill(seen.serverPID, SIGKILL) }
        return seen
    }

    /// Alive and not a zombie waiting for a slow reaper.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}
