import EvolveLLM
import EvolveSandbox
import EvolveSearch
import EvolveSupport
import EvolveTasks
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveApp

@Suite struct DefaultConfigLocationTests {
    @Test func theCurrentFolderFirstThenTheEvolveFolderAboveTheExecutable() throws {
        let scratch = try Scratch()
        let built = repoRoot + "/.build/x86_64-unknown-linux-gnu/release/evolve"
        let here = SearchSetup.defaultConfigLocation(currentDirectory: repoRoot, executablePath: built)
        #expect(here?.path == repoRoot + "/configs/default.yaml" && here?.home == nil)
        let elsewhere = SearchSetup.defaultConfigLocation(currentDirectory: scratch.path, executablePath: built)
        #expect(elsewhere?.path == repoRoot + "/configs/default.yaml" && elsewhere?.home == repoRoot)
        // A binary copied out of its folder, run where there is no config: nothing (the search says what to do).
        #expect(SearchSetup.defaultConfigLocation(currentDirectory: scratch.path, executablePath: "/usr/bin/x") == nil)
        // A configs/default.yaml without seeds/ beside it is not an evolve folder.
        try scratch.write("fake/configs/default.yaml", "seed: x\n")
        let fake = SearchSetup.defaultConfigLocation(
            currentDirectory: "/", executablePath: scratch.path + "/fake/bin/evolve")
        #expect(fake == nil)
    }

    @Test func theDefaultsSourcesComeFromItsFolderAndTheArchiveStaysHere() throws {
        let config = try ConfigLoader.load(repoRoot + "/configs/default.yaml").resolvingSourcePaths(against: "/opt/e")
        #expect(config.seed == "/opt/e/seeds/agents/demo")
        #expect(config.suitesDir.hasPrefix("/opt/e/"))
        #expect(config.archive == "archive")
    }
}

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
        #expect(
            message(base + "operators:\n  - {name: llm, weight: 1}\n  - {name: mutate}\n").contains(
                "'mutate' is unknown"))
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

@Suite struct ExecutorConfigTests {
    func parse(_ yaml: String) throws -> RunConfig {
        try ConfigLoader.parse(
            "seed: s\nsuites: [demo]\noperators: [{name: crossover}]\n" + yaml, path: "c.yaml", environment: [:])
    }

    func message(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func localIsTheDefaultAndSlurmReadsItsSettings() throws {
        #expect(try parse("").executor == .local)
        let config = try parse("executor: {name: slurm, shared_dir: /shared/e, max_jobs: 8, retries: 2}\n")
        guard case .slurm(let settings) = config.executor else {
            Issue.record("expected the slurm executor, got \(config.executor)")
            return
        }
        #expect(settings.sharedDir == "/shared/e" && settings.maxJobs == 8 && settings.retries == 2)
        // The saved configuration (for --resume) reads back the same.
        let saved = try JSONDecoder().decode(RunConfig.self, from: try JSONEncoder().encode(config))
        #expect(saved.executor == config.executor)
    }

    @Test func mistakesNameTheKey() {
        #expect(message("executor: {name: kubernetes}\n").contains("'kubernetes' is unknown"))
        #expect(message("executor: {name: slurm, shared_dir: relative/dir}\n").contains("absolute path"))
        #expect(
            message("executor: {name: slurm, shared_dir: /s, max_job: 3}\n").contains(
                "unknown key 'max_job' in executor"))
        #expect(message("executor: {name: slurm, shared_dir: /s, max_jobs: 0}\n").contains("max_jobs"))
        #expect(message("executor: {name: slurm}\n").contains("shared_dir"))
    }
}

/// The loader's allowed keys come from the types' coding keys: every key a type decodes is accepted, so a
/// new key in a type is never rejected as unknown.
@Suite struct ConfigKeysFromCodingKeysTests {
    @Test func everyKeyOfTheSandboxAndProviderTypesIsAccepted() throws {
        #expect(SandboxLimits.keys.contains("workspace_files"))
        #expect(ProviderConfig.keys.contains("api_key_env"))
        let sandbox = SandboxLimits.keys.map { "\($0): 1" }.joined(separator: ", ")
        let text = "seed: s\nsuites: [x]\noperators: [{name: crossover}]\nsandbox: {\(sandbox)}\n"
        let config = try ConfigLoader.parse(text, path: "c.yaml", environment: [:])
        #expect(config.sandbox.pids == 1)
        var unknown = "seed: s\nsuites: [x]\nmeta_agent: {provider: local, modle: m}\n"
        #expect(throws: EvolveError.self) { try ConfigLoader.parse(unknown, path: "c.yaml", environment: [:]) }
        unknown =
            "seed: s\nsuites: [x]\nmeta_agent: {" + ProviderConfig.keys.map { "\($0): x" }.joined(separator: ", ")
            + "}\n"
        do {
            _ = try ConfigLoader.parse(unknown, path: "c.yaml", environment: [:])
        } catch let error as EvolveError {
            // Values of the wrong type may be refused, never a key as unknown.
            #expect(!error.message.contains("unknown key"), "\(error.message)")
        }
    }
}
