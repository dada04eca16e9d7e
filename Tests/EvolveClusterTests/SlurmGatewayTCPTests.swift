import EvolveLLM
import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveCluster

/// `evolve eval` on the real one-node cluster with `executor.gateway_address`: the agent on the node calls the
/// model through the gateway's TCP endpoint (the step's spec binds no socket of this machine), with its
/// per-task token; a wrong or absent token is refused on that path, and nothing of the relay is left.
extension SlurmClusterTests {
    @Test func anAgentOnANodeReachesTheGatewayOverTCPWithItsTokenOnly() async throws {
        try clusterReady.get()
        let scratch = try Scratch(prefix: "evolve-slurm-tcp")
        let model = try StubModel(answer: "tcp-ok")
        defer { model.stop() }
        try writeModelCallingFixture(in: scratch)
        let config = try scratch.write(
            "run.yaml",
            """
            archive: \(scratch.path)/archive
            seed: \(scratch.path)/seed
            suites: [tcp]
            suites_dir: \(scratch.path)/suites
            workers: 1
            operators: [{name: crossover, weight: 1.0}]
            agent_model: {provider: openai, base_url: "\(model.baseURL)", api_key_env: STUB_KEY, model: stub, retries: 0}
            sandbox: {timeout_s: 60, memory_mb: 512, pids: 64, file_size_mb: 16, output_kb: 64}
            executor: {name: slurm, shared_dir: \(scratch.path)/shared, max_jobs: 2, evolve_path: \(evolveBinary),
                       gateway_address: "127.0.0.1:0", keep_folders: true}
            """)
        let initialized = try await evolve([
            "init", "--seed", scratch.file("seed"), "--archive", scratch.file("archive"),
        ])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let relaysBefore = Self.relayFolders()
        let eval = try await offThePool {
            try evolve(
                ["eval", "v0", "--config", config, "--archive", scratch.file("archive"), "--suite", "tcp", "--json"],
                environment: ["STUB_KEY": "stub"])
        }
        #expect(eval.status == 0, "eval on Slurm: \(eval.stdout)\n\(eval.stderr)")
        #expect(eval.stderr.contains("Gateway listening on TCP 127.0.0.1:"), "\(eval.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(report["score"] as? Double == 1.0, "the check saw 200 with the token, 401 without: \(eval.stdout)")
        #expect(model.calls.current == 1, "only the call with the task's token reached the model")

        // The agent step's spec, as the node read it: the TCP endpoint, and no socket of this machine bound.
        let stepFolders = (Files.entries(scratch.file("shared")) ?? []).flatMap { run in
            (Files.entries(scratch.file("shared/\(run)")) ?? []).map { scratch.file("shared/\(run)/\($0)") }
        }
        let agentStep = try #require(stepFolders.first { $0.hasSuffix(".agent") }, "\(stepFolders)")
        let staged = try #require(StepFolder(path: agentStep).readStaged())
        let gateway = try #require(staged.gateway)
        #expect(gateway.host == "127.0.0.1" && gateway.port != 0)
        #expect(!staged.spec.binds.contains { $0.destination == gateway.socketInSandbox })
        #expect(staged.spec.binds.allSatisfy { $0.source.hasPrefix(agentStep + "/") }, "\(staged.spec.binds)")
        #expect(Self.relayFolders().subtracting(relaysBefore).isEmpty, "every node relay folder is removed")
    }

    @Test func aCancelledStepOnTCPLeavesNoRelayOnTheNode() async throws {
        let fixture = try ClusterFixture()
        let echo = try PythonPeer.echoServer()
        defer { echo.stop() }
        fixture.executor.gateway = echo.endpoint
        let before = Self.relayFolders()
        let spec = SandboxSpec(
            command: .shell("sleep 300"), workspace: try fixture.workspace(),
            binds: [.init(source: "/gateway-socket-of-the-engine", destination: echo.endpoint.socketInSandbox)],
            label: "v1.t9.agent")
        let name = fixture.executor.jobName(step: "v1.t9.agent")
        let step = Task { try await fixture.executor.run(spec) }
        #expect(try await fixture.waitForJob(named: name) { $0.state == .running } != nil)
        var made: Set<String> = []
        for _ in 0..<300 where made.isEmpty {
            made = Self.relayFolders().subtracting(before)
            if made.isEmpty { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(made.count == 1, "the running step's relay folder on the node")
        step.cancel()  // scancel: Slurm sends the job SIGTERM
        #expect(try await step.value.termination == .killed)
        _ = try await fixture.waitForJob(named: name, seconds: 60) { $0.state?.isFinished == true }
        #expect(Self.relayFolders().isDisjoint(with: made), "the relay folder went with the cancelled job")
    }

    /// The node's relay folders in /tmp (the jobs run with Slurm's environment, so TMPDIR is unset).
    static func relayFolders() -> Set<String> {
        Set((Files.entries("/tmp") ?? []).filter { $0.hasPrefix(NodeGatewayRelay.folderPrefix) })
    }
}

/// A seed agent that calls the model three times (its token, a wrong one, none) and writes the statuses, and
/// a one-task suite `tcp` whose check expects 200 with the answer, then 401 and 401.
private func writeModelCallingFixture(in scratch: Scratch) throws {
    try scratch.write("seed/agent.yaml", "name: tcp-caller\nrun: python3 $EVOLVE_AGENT_DIR/agent.py\n")
    try scratch.write(
        "seed/agent.py",
        """
        import json, os, urllib.error, urllib.request
        def call(key):
            headers = {"Content-Type": "application/json"}
            if key is not None:
                headers["Authorization"] = "Bearer " + key
            body = json.dumps({"model": "stub", "messages": [{"role": "user", "content": "hi"}]}).encode()
            request = urllib.request.Request(os.environ["OPENAI_BASE_URL"] + "/chat/completions", body, headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return [response.status, json.load(response)["choices"][0]["message"]["content"]]
            except urllib.error.HTTPError as e:
                return [e.code, None]
        calls = {"token": call(os.environ["OPENAI_API_KEY"]), "wrong": call("evolve-wrong"), "none": call(None)}
        with open("calls.json", "w") as f:
            json.dump(calls, f)
        """)
    try scratch.write(
        "suites/tcp/suite.yaml",
        "name: tcp\ncheck: python3 -m unittest discover -s tests\ntimeout_s: 60\ncheck_timeout_s: 30\n")
    try scratch.write("suites/tcp/tasks/t1/prompt.md", "Call the model.\n")
    try scratch.write("suites/tcp/tasks/t1/workspace/README", "the agent writes calls.json here\n")
    try scratch.write(
        "suites/tcp/tasks/t1/tests/test_calls.py",
        """
        import json, unittest
        class Calls(unittest.TestCase):
            def test_the_token_is_served_and_nothing_else(self):
                with open("calls.json") as f:
                    calls = json.load(f)
                self.assertEqual(calls["token"], [200, "tcp-ok"])
                self.assertEqual(calls["wrong"][0], 401)
                self.assertEqual(calls["none"][0], 401)
        """)
}

/// An OpenAI-compatible stub on 127.0.0.1 that answers every chat call with the same text and counts them.
final class StubModel: @unchecked Sendable {
    let calls = Locked(0)
    private let server: HTTPServer

    init(answer: String) throws {
        let calls = self.calls
        server = HTTPServer { _ in
            _ = calls.increment()
            return .json(
                200,
                object: [
                    "id": "stub", "object": "chat.completion", "model": "stub",
                    "choices": [
                        ["index": 0, "message": ["role": "assistant", "content": answer], "finish_reason": "stop"]
                    ],
                    "usage": ["prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4],
                ])
        }
        try server.listen()
    }

    var baseURL: String { server.baseURL + "/v1" }

    func stop() { server.stop() }
}
