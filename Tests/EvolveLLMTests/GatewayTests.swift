import EvolveLLM
import EvolveSupport
import Foundation
import Testing

/// A gateway in front of a stub model server, and an agent-side client for it.
struct GatewayRig {
    static let realKey = "sk-real-secret-key-0042"

    let upstream: StubServer
    let gateway: Gateway
    let recorder = InMemoryCallRecorder()
    let port: UInt16
    let agent = CurlTransport()

    init(
        budget: TaskBudget = TaskBudget(), prices: PriceTable = PriceTable(),
        provider: (any LLMProvider)? = nil,
        upstream script: @escaping StubServer.Script = { _, _ in StubServer.completion("answer") }
    ) throws {
        upstream = try StubServer(script)
        let real = OpenAICompatibleProvider(
            baseURL: upstream.baseURL, model: "stub-model", apiKey: Self.realKey, keyVariable: "OPENAI_API_KEY",
            retry: quickRetries, transport: CurlTransport())
        gateway = Gateway(provider: provider ?? real, prices: prices, recorder: recorder, budget: budget)
        port = try gateway.listen()
    }

    /// Sends what an agent would: a chat completion with its token.
    func chat(
        _ messages: [[String: String]], token: String?, headers: [String: String] = [:], extra: [String: Any] = [:]
    ) async throws -> (status: Int, json: [String: Any], raw: HTTPResponse) {
        var body: [String: Any] = ["model": "whatever", "messages": messages, "max_tokens": 64]
        for (key, value) in extra { body[key] = value }
        var all = headers
        all["Content-Type"] = "application/json"
        if let token { all["Authorization"] = "Bearer \(token)" }
        let response = try await agent.send(
            HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(port)/v1/chat/completions", headers: all,
                body: try JSONSerialization.data(withJSONObject: body)))
        return (response.status, jsonObject(response.body), response)
    }

    func get(_ path: String, token: String?) async throws -> HTTPResponse {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await agent.send(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)", headers: headers))
    }
}

func content(_ json: [String: Any]) -> String? {
    ((json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
}

func evolveField(_ json: [String: Any]) -> [String: Any] { json["evolve"] as? [String: Any] ?? [:] }

func errorMessage(_ json: [String: Any]) -> String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }

@Suite("Gateway: tokens, budgets, reminders, extensions, records")
struct GatewayTests {
    let hi = [["role": "user", "content": "hi"]]

    @Test func refusesAMissingOrUnknownTokenAndServesAKnownOne() async throws {
        let rig = try GatewayRig()
        let token = rig.gateway.token(forTask: "v1/demo/t1")
        #expect(token == rig.gateway.token(forTask: "v1/demo/t1"))
        #expect(token != rig.gateway.token(forTask: "v1/demo/t2"))

        let none = try await rig.chat(hi, token: nil)
        #expect(none.status == 401)
        #expect(errorMessage(none.json).contains("unknown gateway token"))
        let wrong = try await rig.chat(hi, token: "sk-guess")
        #expect(wrong.status == 401)
        #expect(rig.upstream.requests.isEmpty)

        let ok = try await rig.chat(hi, token: token)
        #expect(ok.status == 200)
        #expect(content(ok.json) == "answer")
        #expect(ok.json["evolve_turns_left"] as? Int == 29)
        #expect(evolveField(ok.json)["task"] as? String == "v1/demo/t1")
        // The gateway uses the configured model, whatever the agent asked for.
        #expect(jsonObject(try #require(rig.upstream.requests.first).body)["model"] as? String == "stub-model")

        let models = try await rig.get("/v1/models", token: token)
        #expect(models.status == 200)
        #expect(models.text.contains("stub-model"))
    }

    @Test func remindsNearTheLimitAndRefusesPastIt() async throws {
        let rig = try GatewayRig(budget: TaskBudget(turns: 3, reminderWithin: 1, maxExtensions: 0))
        let token = rig.gateway.token(forTask: "t")
        let first = try await rig.chat(hi, token: token)
        #expect(content(first.json) == "answer")
        #expect(evolveField(first.json)["reminder"] == nil)

        let second = try await rig.chat(hi, token: token)
        #expect(second.json["evolve_turns_left"] as? Int == 1)
        #expect(
            content(second.json)?.hasSuffix(
                "[evolve gateway] 1 turns left of 3. Wrap up: make your last edits and finish.") == true)
        #expect(second.raw.headers["x-evolve-turns-left"] == "1")

        let third = try await rig.chat(hi, token: token)
        #expect(content(third.json)?.contains("0 turns left of 3: this was the last answer") == true)

        let fourth = try await rig.chat(hi, token: token)
        #expect(fourth.status == 403)
        #expect(errorMessage(fourth.json).contains("turn budget exhausted: all 3 turns of task t are used"))
        #expect(errorMessage(fourth.json).contains("No extensions are left"))
        #expect(rig.upstream.requests.count == 3)
        #expect(rig.gateway.usage(forTask: "t")?.refusals == 1)
    }

    @Test func concurrentCallsNeverExceedATasksTurns() async throws {
        let rig = try GatewayRig(
            budget: TaskBudget(turns: 4, maxExtensions: 0),
            upstream: { _, _ in
                try? await Task.sleep(nanoseconds: 20_000_000)
                return StubServer.completion("answer")
            })
        let tokens = ["a", "b"].map { rig.gateway.token(forTask: $0) }
        let statuses = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for (index, token) in tokens.enumerated() {
                for _ in 0..<8 {
                    group.addTask {
                        (index, try await rig.chat([["role": "user", "content": "hi"]], token: token).status)
                    }
                }
            }
            return try await group.reduce(into: [[Int]](repeating: [], count: 2)) { $0[$1.0].append($1.1) }
        }
        for task in statuses {
            #expect(task.filter { $0 == 200 }.count == 4)
            #expect(task.filter { $0 == 403 }.count == 4)
        }
        #expect(rig.upstream.requests.count == 8)
    }

    @Test func grantsAnExtensionByHeaderOnceOnly() async throws {
        let rig = try GatewayRig(budget: TaskBudget(turns: 1, extensionTurns: 2, maxExtensions: 1))
        let token = rig.gateway.token(forTask: "t")
        _ = try await rig.chat(hi, token: token)
        let refused = try await rig.chat(hi, token: token)
        #expect(refused.status == 403)
        #expect(errorMessage(refused.json).contains(Gateway.extensionHeader))

        let extended = try await rig.chat(hi, token: token, headers: [Gateway.extensionHeader: "1"])
        #expect(extended.status == 200)
        #expect((evolveField(extended.json)["extension"] as? [String: Any])?["granted"] as? Bool == true)
        #expect(evolveField(extended.json)["turn_limit"] as? Int == 3)

        _ = try await rig.chat(hi, token: token)
        let again = try await rig.chat(hi, token: token, headers: [Gateway.extensionHeader: "1"])
        #expect(again.status == 403)
        #expect(
            ((again.json["evolve"] as? [String: Any])?["extension"] as? [String: Any])?["granted"] as? Bool == false)
    }

    @Test func grantsAnExtensionTheModelAsksForInItsReply() async throws {
        let rig = try GatewayRig(budget: TaskBudget(turns: 2, reminderWithin: 1, extensionTurns: 4, maxExtensions: 2))
        let token = rig.gateway.token(forTask: "t")
        _ = try await rig.chat(hi, token: token)
        // The reminder names the marker; sending it back unchanged must not count as asking.
        let reminded = try await rig.chat(hi, token: token, headers: [:])
        let reminder = try #require(content(reminded.json))
        #expect(reminder.contains(Gateway.extensionMarker))
        let echoed = try await rig.chat(
            hi + [["role": "assistant", "content": reminder], ["role": "user", "content": "go on"]], token: token)
        #expect(echoed.status == 403)

        let asking =
            hi + [
                ["role": "assistant", "content": "I am not done. REQUEST_EXTENSION"],
                ["role": "user", "content": "go on"],
            ]
        let granted = try await rig.chat(asking, token: token)
        #expect(granted.status == 200)
        #expect(evolveField(granted.json)["turn_limit"] as? Int == 6)
        // The same reply sent again with the history grants nothing more.
        let repeated = try await rig.chat(asking, token: token)
        #expect(evolveField(repeated.json)["extension"] == nil)
        #expect(rig.gateway.usage(forTask: "t")?.extensionsGranted == 1)
    }

    @Test func grantsAnExtensionThroughItsEndpoint() async throws {
        let rig = try GatewayRig(budget: TaskBudget(turns: 1, extensionTurns: 3, maxExtensions: 1))
        let token = rig.gateway.token(forTask: "t")
        let post = { () async throws -> HTTPResponse in
            try await rig.agent.send(
                HTTPRequest(
                    method: "POST", url: "http://127.0.0.1:\(rig.port)/v1/evolve/extension",
                    headers: ["Authorization": "Bearer \(token)"], body: Data("{}".utf8)))
        }
        let first = try await post()
        #expect(first.status == 200)
        #expect(jsonObject(first.body)["turns_left"] as? Int == 4)
        #expect(try await post().status == 403)
        let budget = try await rig.get("/v1/evolve/budget", token: token)
        #expect(jsonObject(budget.body)["turn_limit"] as? Int == 4)
    }

    @Test func enforcesTheTokenBudgetAndLowersMaxTokens() async throws {
        // The stub reports 11 + 7 = 18 tokens a call; the agent's body (about 80 bytes) counts as about 27
        // prompt tokens at admission, and max_tokens (64) is lowered to what is left after that.
        let rig = try GatewayRig(budget: TaskBudget(turns: 10, tokens: 60, maxExtensions: 0))
        let token = rig.gateway.token(forTask: "t")
        #expect(try await rig.chat(hi, token: token).status == 200)
        #expect(try await rig.chat(hi, token: token).status == 200)
        let asked = rig.upstream.requests.compactMap { jsonObject($0.body)["max_tokens"] as? Int }
        #expect(asked.count == 2)
        #expect(asked[0] < 64)
        #expect(asked[1] == asked[0] - 18)
        let refused = try await rig.chat(hi, token: token)
        #expect(refused.status == 403)
        #expect(errorMessage(refused.json).contains("does not fit the 24 tokens task t has left"))
        #expect(rig.gateway.usage(forTask: "t")?.tokensUsed == 36)
        #expect(rig.upstream.requests.count == 2)
    }

    @Test func recordsEachCallWithTokensCostAndHash() async throws {
        let prices = PriceTable(["stub-model": ModelPrice(input: 1.0, output: 2.0)])
        let rig = try GatewayRig(prices: prices)
        let token = rig.gateway.token(forTask: "v3/pyfix/t07")
        _ = try await rig.chat(hi, token: token)
        _ = try await rig.chat(
            hi + [["role": "assistant", "content": "answer"], ["role": "user", "content": "more"]], token: token)

        let calls = await rig.recorder.calls
        #expect(calls.count == 2)
        let first = try #require(calls.first)
        #expect(first.taskKey == "v3/pyfix/t07")
        #expect(first.turn == 1)
        #expect(calls.last?.turn == 2)
        #expect(first.model == "stub-model")
        #expect(first.inputTokens == 11 && first.outputTokens == 7)
        #expect(abs(first.costUSD - 25e-6) < 1e-12)
        #expect(first.requestHash == SHA256.hex(Data(first.request.utf8)))
        #expect(first.request.contains("\"hi\""))
        #expect(first.chatResponse?.content == "answer")
        #expect(calls[0].requestHash != calls[1].requestHash)

        let usage = try #require(rig.gateway.usage(forTask: "v3/pyfix/t07"))
        #expect(abs(usage.costUSD - 50e-6) < 1e-12)
        #expect(usage.tokensUsed == 36)
        #expect(rig.gateway.totals.calls == 2)
        #expect(abs(rig.gateway.totals.costUSD - 50e-6) < 1e-12)
    }

    @Test func aFailingProviderGivesA502WithTheReasonAndTheTurnBack() async throws {
        let rig = try GatewayRig(upstream: { _, _ in StubServer.error(500, "model crashed") })
        let token = rig.gateway.token(forTask: "t")
        let answer = try await rig.chat(hi, token: token)
        #expect(answer.status == 502)
        #expect(errorMessage(answer.json).contains("model crashed"))
        #expect(errorMessage(answer.json).contains("gave up after 3 attempts"))
        #expect(rig.gateway.usage(forTask: "t")?.turnsUsed == 0)
        let calls = await rig.recorder.calls
        #expect(calls.count == 1)
        #expect(calls.first?.error?.contains("model crashed") == true)
    }

    @Test func aProviderThatNeverAnswersOrAnswersGarbageGivesA502WithTheReason() async throws {
        let silent = try StubServer { _, _ in
            try? await Task.sleep(nanoseconds: 5_000_000_000)
            return StubServer.completion("too late")
        }
        let rig = try GatewayRig(provider: openAI(silent, retry: .none, timeout: 0.3))
        let token = rig.gateway.token(forTask: "t")
        let timedOut = try await rig.chat(hi, token: token)
        #expect(timedOut.status == 502)
        #expect(errorMessage(timedOut.json).contains("within 0.3 s"))

        let garbage = try GatewayRig(upstream: { _, _ in .json(200, Data("{not json".utf8)) })
        let answer = try await garbage.chat(hi, token: garbage.gateway.token(forTask: "t"))
        #expect(answer.status == 502)
        #expect(errorMessage(answer.json).contains("not a chat completion"))
        // The gateway goes on serving after a failure.
        let fine = try await rig.get("/health", token: nil)
        #expect(fine.status == 200)
        #expect(try await rig.get("/v1/health", token: nil).status == 200)
    }

    @Test func theRealKeyNeverReachesTheAgent() async throws {
        // An upstream that refuses the key and repeats it, as OpenAI does.
        let refusing = try GatewayRig(upstream: { _, request in
            StubServer.error(401, "Incorrect API key provided: \(request.headers["authorization"] ?? "")")
        })
        let token = refusing.gateway.token(forTask: "t")
        let refused = try await refusing.chat(hi, token: token)
        #expect(refused.status == 502)
        #expect(errorMessage(refused.json).contains("$OPENAI_API_KEY was refused"))
        #expect(!refused.raw.text.contains(GatewayRig.realKey))
        #expect(!refused.raw.headers.values.contains { $0.contains(GatewayRig.realKey) })

        let fine = try GatewayRig()
        let ok = try await fine.chat(hi, token: fine.gateway.token(forTask: "t"))
        #expect(ok.status == 200)
        #expect(!ok.raw.text.contains(GatewayRig.realKey))
        #expect(fine.upstream.requests.first?.headers["authorization"] == "Bearer \(GatewayRig.realKey)")
        #expect(!token.contains(GatewayRig.realKey))
    }

    @Test func streamsWhenAsked() async throws {
        let rig = try GatewayRig()
        let answer = try await rig.chat(hi, token: rig.gateway.token(forTask: "t"), extra: ["stream": true])
        #expect(answer.status == 200)
        #expect(answer.raw.headers["content-type"] == "text/event-stream")
        #expect(answer.raw.text.contains("\"content\":\"answer\""))
        #expect(answer.raw.text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func rejectsABadBodyAndAnUnknownPath() async throws {
        let rig = try GatewayRig()
        let token = rig.gateway.token(forTask: "t")
        let bad = try await rig.agent.send(
            HTTPRequest(
                method: "POST", url: "http://127.0.0.1:\(rig.port)/v1/chat/completions",
                headers: ["Authorization": "Bearer \(token)"], body: Data(#"{"messages": "hi"}"#.utf8)))
        #expect(bad.status == 400)
        #expect(errorMessage(jsonObject(bad.body)).contains("messages has the wrong type"))
        let unknown = try await rig.get("/v1/embeddings", token: token)
        #expect(unknown.status == 404)
    }

    @Test func replaysARecordedEvaluationWithoutTheModel() async throws {
        let live = try GatewayRig(upstream: { number, _ in StubServer.completion("live answer \(number)") })
        let token = live.gateway.token(forTask: "t")
        let second = hi + [["role": "assistant", "content": "live answer 1"], ["role": "user", "content": "next"]]
        _ = try await live.chat(hi, token: token)
        _ = try await live.chat(second, token: token)

        // Through a call log on disk, as `evolve eval --replay` would read it.
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-replay")
        defer { Files.removeTree(folder) }
        let log = try JSONLinesCallRecorder(path: "\(folder)/calls.jsonl")
        for call in await live.recorder.calls { await log.record(call) }
        let replay = try ReplayProvider.load(jsonLines: log.path)

        let offline = try GatewayRig(
            provider: replay, upstream: { _, _ in StubServer.error(500, "must not be called") })
        let replayToken = offline.gateway.token(forTask: "t")
        #expect(content(try await offline.chat(hi, token: replayToken).json) == "live answer 1")
        #expect(content(try await offline.chat(second, token: replayToken).json) == "live answer 2")
        let astray = try await offline.chat([["role": "user", "content": "something new"]], token: replayToken)
        #expect(astray.status == 502)
        #expect(errorMessage(astray.json).contains("no recorded answer for this request"))
        #expect(offline.upstream.requests.isEmpty)
    }

    @Test func servesOnAUnixSocket() async throws {
        let upstream = try StubServer { _, _ in StubServer.completion("via the socket") }
        let gateway = Gateway(provider: openAI(upstream))
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-gw")
        defer {
            gateway.stop()
            Files.removeTree(folder)
        }
        let access = try gateway.serve(in: folder)
        #expect(access.socketPath == "\(folder)/gateway.sock")
        #expect(FileManager.default.fileExists(atPath: access.relayScriptPath))
        let response = try await CurlTransport().send(
            HTTPRequest(
                method: "POST", url: "http://gateway/v1/chat/completions",
                headers: ["Authorization": "Bearer \(access.tokenForTask("t"))", "Content-Type": "application/json"],
                body: Data(#"{"messages": [{"role": "user", "content": "hi"}]}"#.utf8),
                unixSocketPath: access.socketPath))
        #expect(response.status == 200)
        #expect(content(jsonObject(response.body)) == "via the socket")
    }
}
