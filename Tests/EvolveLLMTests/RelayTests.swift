import EvolveLLM
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Runs a process to the end without blocking the cooperative pool; returns its status and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws
    -> (status: Int32, output: String)
{
    let command = Spawn.command(executable, arguments, environment: environment.map { "\($0.key)=\($0.value)" })
    let finished = try await offThePool { try command.run(timeout: .seconds(120)) }
    return (finished.status, finished.text)
}

@Suite("The relay, outside a sandbox")
struct RelayTests {
    static let python = "/usr/bin/python3"

    /// Both relays: the compiled one (what a sandbox runs when the host has `cc`) and the Python fallback.
    enum Kind: String, CaseIterable, Sendable { case compiled, python }

    /// Writes the relay of `kind` into `folder`; returns the program and the arguments that start it.
    static func relay(_ kind: Kind, in folder: String) throws -> (program: String, arguments: [String]) {
        switch kind {
        case .compiled:
            return (try #require(GatewayRelay.compile(into: folder), "no C compiler on this host"), [])
        case .python:
            return (python, [try GatewayRelay.writeScript(to: folder)])
        }
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs /usr/bin/python3"),
        arguments: Kind.allCases)
    func forwardsTheCommandsCallsAndExitsWithItsStatus(kind: Kind) async throws {
        let upstream = try StubServer { number, _ in StubServer.completion("relayed \(number)") }
        let gateway = Gateway(
            provider: OpenAICompatibleProvider(
                baseURL: upstream.baseURL, model: "stub-model", apiKey: GatewayRig.realKey,
                keyVariable: "OPENAI_API_KEY",
                transport: CurlTransport()))
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-relay")
        defer {
            gateway.stop()
            Files.removeTree(folder)
        }
        let access = try gateway.serve(in: folder)
        let relay = try Self.relay(kind, in: folder)
        // The agent: prints its environment, makes two calls on one connection and one on another, exits 3.
        let agent = """
            import http.client, json, os, sys, urllib.request
            print("\\n".join("%s=%s" % kv for kv in sorted(os.environ.items())))
            url = os.environ["OPENAI_BASE_URL"] + "/chat/completions"
            body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}]}).encode()
            headers = {"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]}
            host = url.split("/")[2]
            connection = http.client.HTTPConnection(host, timeout=30)
            for _ in range(2):
                connection.request("POST", "/v1/chat/completions", body, headers)
                print("ANSWER", json.loads(connection.getresponse().read())["choices"][0]["message"]["content"])
            request = urllib.request.Request(url, data=body, headers=headers)
            print("ANSWER", json.loads(urllib.request.urlopen(request, timeout=30).read())["choices"][0]["message"]["content"])
            sys.exit(3)
            """
        let token = access.tokenForTask("v1/demo/t1")
        let result = try await run(
            relay.program, relay.arguments + [access.socketPath, "0", "--", Self.python, "-c", agent],
            environment: ["OPENAI_API_KEY": token, "PATH": "/usr/bin:/bin"])
        #expect(result.status == 3, "relay output:\n\(result.output)")
        #expect(result.output.contains("ANSWER relayed 1"))
        #expect(result.output.contains("ANSWER relayed 2"))
        #expect(result.output.contains("ANSWER relayed 3"))
        #expect(result.output.contains("OPENAI_API_KEY=\(token)"))
        #expect(!result.output.contains(GatewayRig.realKey))
        #expect(gateway.usage(forTask: "v1/demo/t1")?.turnsUsed == 3)
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs /usr/bin/python3"),
        arguments: Kind.allCases)
    func reportsBadUsageAndASignalledCommand(kind: Kind) async throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-relay")
        defer { Files.removeTree(folder) }
        let relay = try Self.relay(kind, in: folder)
        let usage = try await run(relay.program, relay.arguments + ["/nowhere.sock"], environment: [:])
        #expect(usage.status == 64)
        #expect(usage.output.contains("SOCKET PORT -- COMMAND"))
        let killed = try await run(
            relay.program, relay.arguments + ["/nowhere.sock", "0", "--", "/bin/sh", "-c", "kill -KILL $$"],
            environment: [:])
        #expect(killed.status == 128 + 9)
        let exited = try await run(
            relay.program, relay.arguments + ["/nowhere.sock", "0", "--", "/bin/sh", "-c", "exit 42"],
            environment: [:])
        #expect(exited.status == 42)
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: python), "needs /usr/bin/python3"),
        arguments: Kind.allCases)
    func passesSIGTERMOnToTheCommand(kind: Kind) async throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-relay")
        defer { Files.removeTree(folder) }
        let relay = try Self.relay(kind, in: folder)
        let process = try Child(relay.program, relay.arguments + ["/nowhere.sock", "0", "--", "/bin/sleep", "600"])
        defer { process.stop() }
        // On a thread of its own: a Task.sleep can last tens of seconds while the suite fills the pool.
        let status = try await offThePool { () -> Int32 in
            usleep(500_000)  // let the relay start its command
            process.signal(SIGTERM)
            return process.wait()
        }
        #expect(status == 128 + 15, "the relay's status after SIGTERM")
    }
}
