import EvolveLLM
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// `executor.gateway_address`: what is taken, what is refused, and the gateway reached over TCP through a
/// node's relay with the per-task token and only with it (no cluster needed).
@Suite("Gateway over TCP")
struct GatewayOverTCPTests {
    @Test func anAddressIsAnIPLiteralAndAPort() throws {
        let v4 = try GatewayAddress(parsing: "10.0.0.5:0")
        #expect(v4.host == "10.0.0.5" && v4.port == 0 && !v4.isIPv6 && !v4.isAllInterfaces)
        #expect(v4.hostForNodes == "10.0.0.5")
        let v6 = try GatewayAddress(parsing: "[fd00::5]:8321")
        #expect(v6.host == "fd00::5" && v6.port == 8321 && v6.isIPv6)
        #expect(v6.description == "[fd00::5]:8321")
        #expect(try GatewayAddress(parsing: " 127.0.0.1:65535 ").port == 65535)
    }

    @Test(arguments: [
        ":8080", "*:8080", "0:8080", "0.0:8080", "[::0]:8080", "[0:0:0:0:0:0:0:0]:8080", "[::ffff:0.0.0.0]:1",
        "010.0.0.5:1", "10.0.0.256:1", "10.0.0.5", "10.0.0.5:", "10.0.0.5:65536", "10.0.0.5:-1", "gateway:80",
        "fd00::5:80", "[fd00::5]", "[nonsense]:1", "",
    ])
    func anythingElseIsRefusedWithTheKeyNamed(text: String) {
        #expect {
            _ = try GatewayAddress(parsing: text)
        } throws: { "\($0)".contains("executor.gateway_address") }
    }

    @Test func everyInterfaceOnlyWhenWrittenOut() throws {
        #expect(try GatewayAddress(parsing: "0.0.0.0:0").isAllInterfaces)
        #expect(try GatewayAddress(parsing: "[::]:0").isAllInterfaces)
        // The server itself refuses it unless told.
        let server = HTTPServer { _ in HTTPServerResponse(status: 200) }
        #expect {
            try server.listen(host: "0.0.0.0", port: 0)
        } throws: { "\($0)".contains("refusing to listen on every interface") }
        #expect {
            try server.listen(host: "::", port: 0)
        } throws: { "\($0)".contains("refusing to listen on every interface") }
        #expect(throws: EvolveError.self) { try server.listen(host: "localhost", port: 0) }
    }

    @Test func aConfigWithABadAddressFailsValidation() {
        let settings = SlurmSettings(sharedDir: "/shared", gatewayAddress: ":8080")
        #expect(throws: EvolveError.self) { try settings.validate() }
        #expect((try? SlurmSettings(sharedDir: "/shared", gatewayAddress: "127.0.0.1:0").validate()) != nil)
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func theGatewayServesTheTokenHolderThroughTheRelayAndRefusesEveryoneElse(host: String) throws {
        let scratch = try Scratch()
        let provider = CountingProvider()
        let gateway = Gateway(provider: provider)
        defer { gateway.stop() }
        let port = try gateway.listen(host: host, port: 0)
        let token = gateway.token(forTask: "v1/smoke/t1")
        let relay = try NodeGatewayRelay(
            to: StepGateway(host: host, port: port, socketInSandbox: "/run/evolve/gateway.sock"),
            temporaryFolder: scratch.path)
        defer { relay.stop() }
        let statuses = try PythonPeer.run(
            """
            import socket, sys
            def call(key):
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
                auth = ("Authorization: Bearer %s\\r\\n" % key) if key else ""
                s.sendall(("POST /v1/chat/completions HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n%s"
                           "Content-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % (auth, len(body))).encode() + body)
                answer = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    answer += chunk
                return answer.split(b" ")[1].decode()
            print(call(sys.argv[2]), call("evolve-wrong-token"), call(None))
            """, [relay.socketPath, token])
        #expect(statuses == "200 401 401")
        #expect(provider.calls.current == 1, "refused calls never reach the model")
        // A task that ended: its token is refused through the relay too.
        gateway.endTask("v1/smoke/t1")
        let after = try PythonPeer.run(
            """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(("GET /v1/models HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n"
                       "Authorization: Bearer %s\\r\\n\\r\\n" % sys.argv[2]).encode())
            print(s.recv(65536).split(b" ")[1].decode())
            """, [relay.socketPath, token])
        #expect(after == "401")
    }

    @Test(.enabled(if: hasBubblewrap, "needs bubblewrap"))
    func runStepRemovesItsRelayWhenSlurmSendsSIGTERM() async throws {
        let scratch = try Scratch()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        let workspace = try scratch.makeFolder("ws")
        let relays = try scratch.makeFolder("node-tmp")
        let spec = SandboxSpec(
            command: .argv(["sleep", "600"]), workspace: workspace,
            binds: [.init(source: "/gateway-socket-of-the-engine", destination: echo.endpoint.socketInSandbox)],
            label: "v1.t1.agent")
        let folder = StepFolder(path: scratch.file("shared/run/v1.t1.agent"))
        try folder.stage(spec, evolvePath: evolveBinary, gateway: echo.endpoint)
        let process = try Child(
            evolveBinary, ["run-step", folder.path], environment: ["TMPDIR": relays, "PATH": "/usr/bin:/bin"])
        defer { process.stop() }
        var relayFolder: String?
        // Under a loaded machine (the whole suite at once) the step may take a while to start: wait up to 2 minutes.
        for _ in 0..<2400 where relayFolder == nil {
            relayFolder = Files.entries(relays)?.first { $0.hasPrefix("evolve-node-relay.") }
            if relayFolder == nil { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(relayFolder != nil, "run-step made its relay folder in the node's TMPDIR")
        process.signal(SIGTERM)
        #expect(await process.wait() == 128 + SIGTERM, "run-step ends by the signal it was sent")
        #expect(Files.entries(relays) == [], "the relay's folder went with the step")
        #expect(folder.readResult() == nil, "a killed step writes no result: Slurm's state says what happened")
    }
}

/// A provider that counts its calls and answers "ok".
struct CountingProvider: LLMProvider {
    let model = "stub"
    let kind = ProviderConfig.Kind.openai
    let label = "counting stub"
    let calls = Locked(0)

    func complete(_ request: ChatRequest) async throws -> ChatResponse {
        _ = calls.increment()
        return ChatResponse(
            content: "ok", model: model, finishReason: "stop", usage: TokenUsage(inputTokens: 3, outputTokens: 1))
    }
}
