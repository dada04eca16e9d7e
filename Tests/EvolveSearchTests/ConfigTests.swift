import EvolveSupport
import Foundation
import Testing

@testable import EvolveConfig

@Suite struct ConfigTests {
    @Test func shippedConfigsParse() throws {
        for name in ["default", "smoke", "coding-agent"] {
            let config = try ConfigLoader.load(repoRoot + "/configs/\(name).yaml")
            #expect(!config.suites.isEmpty)
        }
        let demo = try ConfigLoader.load(repoRoot + "/configs/default.yaml")
        #expect(demo.metaAgent?.provider == .local)
        #expect(demo.selector.name == "greedy")
        #expect(demo.selector.name == SelectorConfig.defaultName)
        #expect(demo.generations == 50)
    }

    @Test func errorsNameTheKeyAndTheLine() throws {
        func message(_ yaml: String) -> String {
            do {
                _ = try ConfigLoader.parse(yaml, path: "c.yaml", environment: [:])
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        let base = "seed: s\nsuites: [demo]\n"
        #expect(message(base + "generations: many\n").contains("c.yaml:3: 'generations' must be a whole number"))
        #expect(message(base + "selectr: {name: dgm}\n").contains("c.yaml:3: unknown key 'selectr'"))
        #expect(message(base + "selectr: {name: dgm}\n").contains("did you mean 'selector'?"))
        #expect(message(base + "selector: {name: dgm, bta: 2}\n").contains("unknown key 'bta' in selector"))
        #expect(message("suites: [demo]\n").contains("'seed' is missing"))
        #expect(message(base + "children: 0\n").contains("c.yaml:3: 'children' must be at least 1"))
        #expect(message(base + "selector: {name: best}\n").contains("name 'best' is unknown"))
        #expect(message(base + "operators: [{name: llm}]\n").contains("meta_agent"))
        #expect(message(base + "operators:\n  - {name: llm, weight: 1}\n  - {name: mutate}\n").contains("'mutate' is unknown"))
        #expect(message(base + "meta_agent: {provider: gemini}\n").contains("provider 'gemini' is unknown"))
        #expect(message(base + "sandbox: {timeout_s: [1]}\n").contains("c.yaml:3:"))
        #expect(message("seed: [unclosed\n").contains("c.yaml:"))
    }

    @Test func environmentVariablesExpand() throws {
        let yaml = """
            seed: s
            suites: [demo]
            operators: [{name: llm}]
            meta_agent: {provider: openai, base_url: "${URL:-http://localhost:8000/v1}", model: "${MODEL}"}
            """
        let config = try ConfigLoader.parse(yaml, path: "c.yaml", environment: ["MODEL": "qwen"])
        #expect(config.metaAgent?.baseURL == "http://localhost:8000/v1")
        #expect(config.metaAgent?.model == "qwen")
        let other = try ConfigLoader.parse(yaml, path: "c.yaml", environment: ["MODEL": "m", "URL": "http://h/v1"])
        #expect(other.metaAgent?.baseURL == "http://h/v1")
        #expect(throws: EvolveError.self) { try ConfigLoader.parse(yaml, path: "c.yaml", environment: [:]) }
    }

    @Test func aConfigSurvivesTheRunTable() throws {
        // --resume reads the config back from JSON: nothing may be lost on the way.
        let config = try ConfigLoader.load(repoRoot + "/configs/coding-agent.yaml")
        let decoded = try JSONDecoder().decode(RunConfig.self, from: try JSONEncoder().encode(config))
        #expect(decoded == config)
    }
}
