import EvolveLLM
import EvolveSupport
import Foundation
import Testing

/// A stand-in for llama-server: Python that takes the same flags, loads for a moment (503), then serves
/// /health and one canned chat completion.
private let fakeServer = #"""
    #!/usr/bin/python3
    import json, signal, sys, time
    from http.server import BaseHTTPRequestHandler, HTTPServer
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the test runner may hand down an ignored SIGTERM
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1])
    model = args[args.index("-m") + 1]
    if "broken" in model:
        print("error: failed to load model '%s'" % model, flush=True)
        sys.exit(1)
    started = time.time()
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass
        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_GET(self):
            if time.time() - started < 0.3:
                self.reply(503, {"error": {"message": "Loading model"}})
            else:
                self.reply(200, {"status": "ok"})
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.reply(200, {"model": "fake", "choices": [{"message": {"content": "fake says hi"}, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 3, "completion_tokens": 3}})
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

@Suite("Local model server")
struct LocalModelServerTests {
    func fakeFiles(_ folder: String, model: String = "model.gguf") throws -> LocalModelFiles {
        let server = "\(folder)/llama-server"
        try Files.writeAtomically(Data(fakeServer.utf8), to: server)
        chmod(server, 0o755)
        try Files.writeAtomically(Data("gguf".utf8), to: "\(folder)/\(model)")
        return LocalModelFiles(serverPath: server, modelPath: "\(folder)/\(model)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func startsWaitsForHealthAnswersAndStops() async throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-local")
        defer { Files.removeTree(folder) }
        let server = LocalModelServer(files: try fakeFiles(folder))
        try await server.start()
        #expect(server.isRunning)
        #expect(server.baseURL.hasPrefix("http://127.0.0.1:"))

        let provider = try ProviderFactory.make(
            ProviderConfig(provider: .local), environment: [:], transport: CurlTransport(), localServer: server)
        #expect(provider.kind == .local)
        let answer = try await provider.complete(ChatRequest(messages: [.user("hi")]))
        #expect(answer.content == "fake says hi")

        server.stop()
        #expect(!server.isRunning)
        let after = await #expect(throws: TransportError.self) {
            try await CurlTransport().send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/health", timeout: 2))
        }
        #expect(after?.kind == .connection)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func aServerThatDiesWhileStartingShowsItsLog() async throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-local")
        defer { Files.removeTree(folder) }
        let server = LocalModelServer(files: try fakeFiles(folder, model: "broken.gguf"))
        let error = await #expect(throws: EvolveError.self) { try await server.start() }
        #expect(error?.message.contains("llama-server exited while starting") == true)
        #expect(error?.message.contains("failed to load model") == true)
        #expect(!server.isRunning)
    }

    @Test func aMissingInstallSaysToRunSetup() throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-local")
        defer { Files.removeTree(folder) }
        let error = #expect(throws: EvolveError.self) {
            try LocalModelFiles.locate(environment: ["PATH": folder], currentDirectory: folder, executablePath: nil)
        }
        #expect(error?.message.contains("llama-server is not installed") == true)
        #expect(error?.hint?.contains("scripts/setup.sh") == true)

        let named = #expect(throws: EvolveError.self) {
            try LocalModelFiles.locate(environment: ["EVOLVE_LLAMA_SERVER": "\(folder)/nope"], currentDirectory: folder)
        }
        #expect(named?.message.contains("EVOLVE_LLAMA_SERVER names \(folder)/nope") == true)
    }

    @Test func findsToolsAboveTheWorkingDirectory() throws {
        let root = try Files.makeTemporaryDirectory(prefix: "evolve-local")
        defer { Files.removeTree(root) }
        try FileManager.default.createDirectory(atPath: "\(root)/.tools/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/.tools/models", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/a/b", withIntermediateDirectories: true)
        try Files.writeAtomically(Data("#!/bin/sh\n".utf8), to: "\(root)/.tools/bin/llama-server")
        chmod("\(root)/.tools/bin/llama-server", 0o755)
        try Files.writeAtomically(Data("gguf".utf8), to: "\(root)/.tools/models/\(LocalModelFiles.modelFileName)")
        let found = try LocalModelFiles.locate(environment: [:], currentDirectory: "\(root)/a/b", executablePath: nil)
        #expect(found.serverPath.hasSuffix(".tools/bin/llama-server"))
        #expect(found.modelPath.hasSuffix(".tools/models/\(LocalModelFiles.modelFileName)"))
    }
}

// MARK: - The real model

private let realModel = try? LocalModelFiles.locate()

@Suite("End to end against the real llama-server")
struct RealLocalModelTests {
    @Test(.enabled(if: realModel != nil, "llama-server or the model is not installed: run scripts/setup.sh"))
    func answersDirectlyAndThroughTheGateway() async throws {
        let files = try #require(realModel)
        let server = LocalModelServer(files: files)
        try await server.start()
        defer { server.stop() }
        let provider = try ProviderFactory.make(
            ProviderConfig(provider: .local, temperature: 0, maxTokens: 24), environment: [:],
            transport: CurlTransport(), localServer: server)
        let direct = try await provider.complete(
            ChatRequest(messages: [.system("You are brief."), .user("Name one colour.")]))
        #expect(!direct.content.isEmpty)
        #expect(direct.usage.inputTokens > 0 && direct.usage.outputTokens > 0)
        #expect(!direct.usage.estimated)

        let recorder = InMemoryCallRecorder()
        let gateway = Gateway(provider: provider, recorder: recorder)
        let port = try gateway.listen()
        defer { gateway.stop() }
        let token = gateway.token(forTask: "e2e/t1")
        let answer = try await CurlTransport().send(
            HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port)/v1/chat/completions",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: Data(#"{"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 16}"#.utf8),
                timeout: 120))
        #expect(answer.status == 200, "\(answer.text)")
        #expect(content(jsonObject(answer.body))?.isEmpty == false)
        #expect(await recorder.calls.first?.costUSD == 0)
        #expect(gateway.usage(forTask: "e2e/t1")?.turnsUsed == 1)
    }
}
