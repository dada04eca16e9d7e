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

        // MARK: - Libraries
        /// Small shared pieces: errors, files, JSON output, terminal detection.
        .target(name: "EvolveSupport", dependencies: [.product(name: "Logging", package: "swift-log")]),
        /// The archive: libgit2 repository + SQLite index.
        .target(name: "EvolveArchive", dependencies: ["CGit2", "CSQLite", "EvolveSupport"]),
        /// Run configurations (YAML) and suite/agent manifests.
        .target(name: "EvolveConfig", dependencies: ["EvolveSupport", "EvolveLLM", "EvolveSandbox", "EvolveCluster", "Yams"]),
        /// bubblewrap sandbox with limits.
        .target(name: "EvolveSandbox", dependencies: ["EvolveSupport"]),
        /// The Slurm executor: each sandboxed step a batch job on a node, files through a shared folder.
        .target(name: "EvolveCluster", dependencies: ["EvolveSandbox", "EvolveSupport"]),
        /// Task suites, the evaluator and its worker pool.
        .target(name: "EvolveEvaluation",
                dependencies: ["EvolveArchive", "EvolveSandbox", "EvolveConfig", "EvolveSupport", "Yams"]),
        /// LLM providers over libcurl, the gateway, budgets.
        .target(name: "EvolveLLM", dependencies: ["CCurl", "EvolveSupport", .product(name: "Logging", package: "swift-log")]),
        /// Mutation operators and edit formats.
        .target(name: "EvolveMutation",
                dependencies: ["EvolveArchive", "EvolveLLM", "EvolveConfig", "EvolveEvaluation", "EvolveSupport"]),
        /// The search loop and the parent selectors.
        .target(name: "EvolveSearch",
                dependencies: ["EvolveArchive", "EvolveEvaluation", "EvolveMutation", "EvolveConfig", "EvolveLLM",
                               "EvolveSandbox", "EvolveSupport", "EvolveCluster"]),
        /// The HTML report: SVG plots of the search, drawn by evolve (no JS framework).
        .target(name: "EvolveReport", dependencies: ["EvolveArchive", "EvolveSupport"]),
        /// `evolve serve`: the report, live and read-only, over Hummingbird.
        .target(name: "EvolveServe",
                dependencies: ["EvolveReport", "EvolveArchive", "EvolveSupport",
                               .product(name: "Hummingbird", package: "hummingbird")]),

        // MARK: - The command line (parses, calls a service, prints)
        .executableTarget(
            name: "evolve",
            dependencies: [
                "EvolveArchive", "EvolveConfig", "EvolveEvaluation", "EvolveSearch", "EvolveLLM",
                "EvolveMutation", "EvolveSupport", "EvolveReport", "EvolveServe", "EvolveCluster",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        /// Generators for the benchmark scripts (scripts/bench-*.sh); not shipped to users.
        .executableTarget(
            name: "evolve-bench",
            dependencies: [
                "EvolveArchive", "EvolveEvaluation", "EvolveLLM", "EvolveSandbox", "EvolveSearch", "EvolveSupport",
            ]),

        // MARK: - Tests
        .testTarget(name: "EvolveArchiveTests", dependencies: ["EvolveArchive"]),
        .testTarget(name: "EvolveSandboxTests", dependencies: ["EvolveSandbox"]),
        .testTarget(name: "EvolveEvaluationTests", dependencies: ["EvolveEvaluation", "EvolveArchive"]),
        .testTarget(name: "EvolveLLMTests", dependencies: ["EvolveLLM", .product(name: "Hummingbird", package: "hummingbird")]),
        .testTarget(name: "EvolveSearchTests",
                    dependencies: ["EvolveSearch", "EvolveMutation", "EvolveArchive", "EvolveConfig", "EvolveLLM"]),
        .testTarget(name: "EvolveReportTests", dependencies: ["EvolveReport", "EvolveServe", "EvolveArchive"]),
        .testTarget(name: "EvolveClusterTests", dependencies: ["EvolveCluster", "EvolveSandbox", "EvolveSupport", "evolve"]),
        .testTarget(name: "EndToEndTests", dependencies: ["evolve", "EvolveSupport"]),
    ]
)
