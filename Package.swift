// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "evolve",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "evolve", targets: ["evolve"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // MARK: - C libraries from Debian
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: - Libraries, lowest first; each imports only what stands above it here (docs/architecture.md).
        // scripts/check-imports.py fails the tests when a file imports a module its target does not declare,
        // when a declared one is unused, or when an edge goes against this order.
        /// Small shared pieces: errors, files, tree copy and removal, seeded randomness, JSON output, terminal.
        .target(name: "EvolveSupport"),
        /// bubblewrap sandbox with limits, and the StepExecutor contract the cluster also meets.
        .target(name: "EvolveSandbox", dependencies: ["EvolveSupport"]),
        /// The archive: libgit2 repository + SQLite index (storage only).
        .target(name: "EvolveArchive", dependencies: ["CGit2", "CSQLite", "EvolveSupport"]),
        /// Suites, tasks, agent manifests, objectives, how an agent step is laid out, the gateway access contract.
        .target(name: "EvolveTasks", dependencies: ["EvolveSandbox", "EvolveSupport", "Yams"]),
        /// The Slurm executor: each sandboxed step a batch job on a node, files through a shared folder.
        .target(name: "EvolveCluster", dependencies: ["EvolveSandbox", "EvolveSupport"]),
        /// LLM providers over libcurl, the gateway, budgets.
        .target(
            name: "EvolveLLM",
            dependencies: [
                "CCurl", "EvolveSupport", "EvolveTasks", .product(name: "Logging", package: "swift-log"),
            ]),
        /// The evaluator: agent step, check step, trusted verdicts, the worker pool.
        .target(
            name: "EvolveEvaluation", dependencies: ["EvolveArchive", "EvolveSandbox", "EvolveSupport", "EvolveTasks"]),
        /// Mutation operators and edit formats.
        .target(
            name: "EvolveMutation",
            dependencies: [
                "EvolveArchive", "EvolveLLM", "EvolveSandbox", "EvolveSupport", "EvolveTasks",
            ]),
        /// The search loop and the parent selectors, fed plain settings.
        .target(
            name: "EvolveSearch",
            dependencies: [
                "EvolveArchive", "EvolveEvaluation", "EvolveMutation", "EvolveSupport", "EvolveTasks",
            ]),
        /// The HTML report: SVG plots of the search, drawn by evolve (no JS framework).
        .target(name: "EvolveReport", dependencies: ["EvolveArchive", "EvolveSupport"]),
        /// `evolve serve`: the report, live and read-only, over Hummingbird.
        .target(
            name: "EvolveServe",
            dependencies: [
                "EvolveArchive", "EvolveReport", "EvolveSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        /// The run configuration (YAML), and the wiring: services built from it for search, eval, status, show.
        .target(
            name: "EvolveApp",
            dependencies: [
                "EvolveArchive", "EvolveCluster", "EvolveEvaluation", "EvolveLLM", "EvolveMutation", "EvolveReport",
                "EvolveSandbox", "EvolveSearch", "EvolveSupport", "EvolveTasks", "Yams",
            ]),
        /// The command line: ArgumentParser commands that parse, call a service, and print.
        .target(
            name: "EvolveCommands",
            dependencies: [
                "EvolveApp", "EvolveArchive", "EvolveCluster", "EvolveEvaluation", "EvolveReport", "EvolveSearch",
                "EvolveServe", "EvolveSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: - Executables
        /// The entry point: one line.
        .executableTarget(name: "evolve", dependencies: ["EvolveCommands"]),
        /// Generators for the benchmark scripts (scripts/bench-*.sh); not shipped to users.
        .executableTarget(
            name: "evolve-bench",
            dependencies: [
                "EvolveArchive", "EvolveEvaluation", "EvolveLLM", "EvolveSandbox", "EvolveSearch", "EvolveSupport",
                "EvolveTasks",
            ]),

        // MARK: - Tests
        /// What the test targets share: scratch folders, fixtures, running the built binary, raw sockets.
        .target(name: "EvolveTestSupport", dependencies: ["EvolveSupport"], path: "Tests/EvolveTestSupport"),
        .testTarget(name: "EvolveArchiveTests", dependencies: ["EvolveArchive", "EvolveSupport", "EvolveTestSupport"]),
        .testTarget(name: "EvolveSandboxTests", dependencies: ["EvolveSandbox", "EvolveSupport", "EvolveTestSupport"]),
        .testTarget(
            name: "EvolveEvaluationTests",
            dependencies: [
                "EvolveArchive", "EvolveEvaluation", "EvolveSandbox", "EvolveSupport", "EvolveTasks",
                "EvolveTestSupport",
            ]),
        // Hummingbird only for GatewayHTTPBenchmark (the gateway's server against Hummingbird, docs/llm.md).
        .testTarget(
            name: "EvolveLLMTests",
            dependencies: [
                "EvolveLLM", "EvolveSupport", "EvolveTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "EvolveConfigTests",
            dependencies: [
                "EvolveApp", "EvolveLLM", "EvolveSandbox", "EvolveSearch", "EvolveSupport", "EvolveTasks",
                "EvolveTestSupport",
            ]),
        .testTarget(
            name: "EvolveMutationTests",
            dependencies: [
                "EvolveArchive", "EvolveEvaluation", "EvolveLLM", "EvolveMutation", "EvolveSandbox", "EvolveSupport",
                "EvolveTasks", "EvolveTestSupport",
            ]),
        .testTarget(
            name: "EvolveSearchTests",
            dependencies: [
                "EvolveApp", "EvolveArchive", "EvolveEvaluation", "EvolveLLM", "EvolveSandbox", "EvolveSearch",
                "EvolveSupport", "EvolveTasks", "EvolveTestSupport",
            ]),
        .testTarget(
            name: "EvolveReportTests",
            dependencies: [
                "EvolveApp", "EvolveArchive", "EvolveReport", "EvolveSearch", "EvolveServe", "EvolveSupport",
                "EvolveTestSupport",
            ]),
        .testTarget(
            name: "EvolveClusterTests",
            dependencies: [
                "EvolveApp", "EvolveArchive", "EvolveCluster", "EvolveLLM", "EvolveSandbox", "EvolveSupport",
                "EvolveTestSupport", "evolve",
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["EvolveSupport", "EvolveTestSupport", "evolve"]),
    ]
)
