import EvolveSupport
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Finding the server and the model

/// Where llama.cpp's `llama-server` and the GGUF model are.
public struct LocalModelFiles: Sendable, Equatable {
    public var serverPath: String
    public var modelPath: String

    public static let modelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    public init(serverPath: String, modelPath: String) {
        self.serverPath = serverPath
        self.modelPath = modelPath
    }

    /// Finds both: `EVOLVE_LLAMA_SERVER` / `EVOLVE_LOCAL_MODEL`, else `.tools/bin/llama-server` and
    /// `.tools/models/<model>` in the working directory or a folder above it or above this executable, else
    /// `llama-server` on `PATH`. Fails with what to run when either is missing.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = executablePath()
    ) throws -> LocalModelFiles {
        let roots = toolRoots(currentDirectory: currentDirectory, executablePath: executablePath)
        var looked: [String] = []

        var server: String?
        if let named = environment["EVOLVE_LLAMA_SERVER"], !named.isEmpty {
            guard isExecutable(named) else {
                throw EvolveError(
                    .llm, "EVOLVE_LLAMA_SERVER names \(named), which is not an executable file",
                    hint: "unset it to use .tools/bin/llama-server, or run scripts/setup.sh")
            }
            server = named
        }
        for root in roots where server == nil {
            let candidate = "\(root)/bin/llama-server"
            looked.append(candidate)
            if isExecutable(candidate) { server = candidate }
        }
        if server == nil {
            for folder in (environment["PATH"] ?? "").split(separator: ":") {
                let candidate = "\(folder)/llama-server"
                if isExecutable(candidate) {
                    server = candidate
                    break
                }
            }
            looked.append("llama-server on PATH")
        }
        guard let server else {
            throw EvolveError(
                .llm, "llama.cpp's llama-server is not installed (looked at \(looked.joined(separator: ", ")))",
                hint: "run scripts/setup.sh (it builds llama-server and installs the SmolLM2-135M model into .tools/), "
                    + "or set EVOLVE_LLAMA_SERVER")
        }

        var model: String?
        if let named = environment["EVOLVE_LOCAL_MODEL"], !named.isEmpty {
            guard FileManager.default.isReadableFile(atPath: named) else {
                throw EvolveError(
                    .llm, "EVOLVE_LOCAL_MODEL names \(named), which is not a readable file",
                    hint: "unset it to use .tools/models/\(modelFileName), or run scripts/setup.sh")
            }
            model = named
        }
        var lookedModel: [String] = []
        for root in roots where model == nil {
            let candidate = "\(root)/models/\(modelFileName)"
            lookedModel.append(candidate)
            if FileManager.default.isReadableFile(atPath: candidate) { model = candidate }
        }
        guard let model else {
            throw EvolveError(
                .llm,
                "the local model \(modelFileName) is not installed (looked at \(lookedModel.joined(separator: ", ")))",
                hint: "run scripts/setup.sh, or set EVOLVE_LOCAL_MODEL to a GGUF file")
        }
        return LocalModelFiles(serverPath: server, modelPath: model)
    }

    /// `.tools` folders in the working directory and its parents, then above the executable.
    static func toolRoots(currentDirectory: String, executablePath: String?) -> [String] {
        var roots: [String] = []
        let starts = [currentDirectory] + (executablePath.map { [($0 as NSString).deletingLastPathComponent] } ?? [])
        for folder in starts.flatMap(Files.folderAndAncestors) {
            let candidate = (folder as NSString).appendingPathComponent(".tools")
            if !roots.contains(candidate) && Files.isDirectory(candidate) { roots.append(candidate) }
        }
        return roots
    }

    /// This process's executable, from /proc/self/exe.
    public static func executablePath() -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first
    }

    private static func isExecutable(_ path: String) -> Bool {
        !Files.isDirectory(path) && FileManager.default.isExecutableFile(atPath: path)
    }
}

// MARK: - The server process

/// llama.cpp's `llama-server` on a free loopback port: started, waited for until `/health` answers, and
/// stopped (SIGTERM, then SIGKILL) by `stop()` or when this object goes away.
///
/// The server never outlives the engine, however the engine ends (even `kill -9`): it runs under a small
/// watchdog shell that holds the read end of a pipe whose only write end is this process's (close-on-exec,
/// so no sandbox or other child inherits it). When this process dies the kernel closes the write end, the
/// watchdog reads end-of-file and stops the server (SIGTERM, then SIGKILL after 3 s).
public final class LocalModelServer: @unchecked Sendable {
    /// How the server runs.
    public struct Options: Sendable {
        /// Total context in tokens, shared by the parallel slots.
        public var contextSize: Int = 8192
        /// Requests served at once (llama-server's slots).
        public var parallel: Int = 2
        /// CPU threads; nil lets llama-server choose.
        public var threads: Int?
        /// How long loading may take before giving up.
        public var startupTimeout: Double = 120
        /// Anything else to pass to llama-server.
        public var extraArguments: [String] = []

        public init() {}
    }

    public let files: LocalModelFiles
    public let options: Options
    private let transport: any HTTPTransport
    private let logger: Logger
    private let lock = NSLock()
    private var pid: pid_t = 0
    private var exited = true
    private var logPath: String?
    private var logFolder: String?
    /// This process's end of the watchdog pipe; closing it (or dying) stops the server.
    private var lifeline: Int32 = -1
    public private(set) var port: UInt16 = 0

    public init(
        files: LocalModelFiles, options: Options = Options(), transport: any HTTPTransport = CurlTransport(),
        logger: Logger = Logger(label: "evolve.llm.local")
    ) {
        self.files = files
        self.options = options
        self.transport = transport
        self.logger = logger
    }

    deinit { stop() }

    /// The OpenAI-compatible API root, `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Whether the process is running.
    public var isRunning: Bool {
        lock.withLock { reap() }
        return lock.withLock { !exited }
    }

    /// Collects the exit status if the process has ended (call with the lock held).
    private func reap() {
        guard !exited, pid > 0 else { return }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || (result < 0 && errno == ECHILD) { exited = true }
    }

    /// Starts the server and returns once it answers `/health` with 200. A port taken between choosing and
    /// binding is retried with another port.
    public func start() async throws {
        var lastError: EvolveError?
        let started = ContinuousClock.now
        var busyTries = 0
        var bindTries = 0
        while bindTries < 3 && busyTries < 20 {
            do {
                try launch(port: try HTTPServer.freePort())
                try await waitUntilReady()
                logger.info(
                    "llama-server is ready",
                    metadata: [
                        "url": "\(baseURL)", "model": "\(files.modelPath)",
                        "startup_s": "\(String(format: "%.1f", Stopwatch.seconds(since: started)))",
                    ])
                return
            } catch let error as EvolveError
                where error.message.contains("could not bind") || error.message.contains("Text file busy")
            {
                // A port taken meanwhile, or a binary just installed that another process still holds open
                // for writing (a child forked elsewhere in this process at that moment): try again.
                lastError = error
                stop()
                if error.message.contains("Text file busy") {
                    busyTries += 1
                    try? await Task.sleep(nanoseconds: 50_000_000)
                } else {
                    bindTries += 1
                }
            } catch {
                stop()
                throw error
            }
        }
        throw lastError ?? EvolveError(.llm, "llama-server did not start")
    }

    /// Stops the server: SIGTERM, up to 5 seconds, then SIGKILL. Safe to call twice.
    public func stop() {
        let (target, folder): (pid_t, String?) = lock.withLock {
            reap()
            let target = exited ? 0 : pid
            let folder = logFolder
            logFolder = nil
            return (target, folder)
        }
        if target > 0 {
            kill(target, SIGTERM)
            var status: Int32 = 0
            var gone = false
            for _ in 0..<250 {  // 5 seconds
                let result = waitpid(target, &status, WNOHANG)
                if result == target || result < 0 {
                    gone = true
                    break
                }
                usleep(20_000)
            }
            if !gone {
                kill(target, SIGKILL)
                _ = waitpid(target, &status, 0)
            }
            lock.withLock { exited = true }
            logger.info("llama-server stopped", metadata: ["pid": "\(target)"])
        }
        let fd: Int32 = lock.withLock {
            defer { lifeline = -1 }
            return lifeline
        }
        if fd >= 0 { close(fd) }
        if let folder { Files.removeTree(folder) }
    }

    // MARK: - Starting

    private func launch(port: UInt16) throws {
        let folder = try Files.makeTemporaryDirectory(prefix: "evolve-llama")
        let log = "\(folder)/llama-server.log"
        var arguments = [
            files.serverPath, "--host", "127.0.0.1", "--port", String(port), "-m", files.modelPath,
            "-c", String(options.contextSize), "--parallel", String(options.parallel),
        ]
        if let threads = options.threads { arguments += ["--threads", String(threads)] }
        arguments += options.extraArguments

        // The watchdog pipe (a socket pair, which can be made close-on-exec atomically, so no child spawned
        // meanwhile by another thread inherits it); the watchdog's end becomes its fd 3.
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            Files.removeTree(folder)
            throw EvolveError(.llm, "cannot start llama-server: pipe: \(String(cString: strerror(errno)))")
        }
        // Default SIGTERM/SIGINT/SIGPIPE handling and no blocked signals, whatever this process inherited.
        let spawn = Spawn(
            executable: "/bin/sh", arguments: ["/bin/sh", "-c", Self.watchdog, "evolve-llama-watchdog"] + arguments,
            fileActions: [
                .open(0, path: "/dev/null", flags: O_RDONLY),
                .open(1, path: log, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644),
                .duplicate(1, to: 2), .duplicate(ends[0], to: 3),
            ],
            // Nothing else of the engine: a descriptor another thread opened without close-on-exec (Foundation's
            // Process leaves one for each child it watches) would live as long as the server and hang its owner.
            closeDescriptorsFrom: 4, defaultSignals: [SIGTERM, SIGINT, SIGPIPE, SIGHUP], clearSignalMask: true)
        let child: pid_t
        do {
            defer { close(ends[0]) }
            child = try spawn.start(errorKind: .llm, naming: files.serverPath)
        } catch {
            close(ends[1])
            Files.removeTree(folder)
            throw error
        }
        lock.withLock {
            pid = child
            lifeline = ends[1]
            exited = false
            logPath = log
            logFolder = folder
            self.port = port
        }
    }

    /// Runs the server (`"$@"`) and stops it when fd 3 reaches end-of-file (the engine is gone) or when
    /// the watchdog itself gets SIGTERM (`stop()`); exits with the server's status.
    static let watchdog = """
        "$@" 3<&- &
        server=$!
        { while read -r _; do :; done; kill -TERM $server 2>/dev/null; sleep 3; kill -KILL $server 2>/dev/null; } <&3 &
        watch=$!
        trap 'kill -TERM $server $watch 2>/dev/null; wait $server; exit 143' TERM INT HUP
        exec 3<&-
        wait $server
        status=$?
        kill $watch 2>/dev/null
        exit $status
        """

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(options.startupTimeout * 1000))
        let health = HTTPRequest(url: "http://127.0.0.1:\(port)/health", timeout: 2, connectTimeout: 1)
        while ContinuousClock.now < deadline {
            if !isRunning {
                let tail = logTail()
                let reason = tail.contains("bind") ? "could not bind 127.0.0.1:\(port)" : "exited while starting"
                throw EvolveError(.llm, "llama-server \(reason); its log ends:\n\(tail)")
            }
            if let answer = try? await transport.send(health), answer.status == 200 { return }
            do {
                try await Task.sleep(nanoseconds: 100_000_000)
            } catch {
                throw EvolveError(.interrupted, "cancelled while waiting for llama-server to start")
            }
        }
        let tail = logTail()
        throw EvolveError(
            .llm, "llama-server did not answer /health within \(Int(options.startupTimeout)) s; its log ends:\n\(tail)",
            hint: "a slow machine may need a longer startup timeout")
    }

    /// The last lines of the server's log.
    public func logTail(lines: Int = 15) -> String {
        lock.lock()
        let path = logPath
        lock.unlock()
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

// MARK: - Building providers

/// Makes the provider a config entry asks for.
public enum ProviderFactory {
    /// The provider for `config`. For `provider: local`, pass the running `localServer` (one server can serve
    /// both the meta-agent and the agents); its URL replaces `base_url`.
    public static func make(
        _ config: ProviderConfig, environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: any HTTPTransport, localServer: LocalModelServer? = nil, logger: Logger? = nil
    ) throws -> any LLMProvider {
        switch config.provider {
        case .anthropic:
            var provider = try AnthropicProvider(config: config, environment: environment, transport: transport)
            provider.logger = logger
            return provider
        case .openai:
            var provider = try OpenAICompatibleProvider(config: config, environment: environment, transport: transport)
            provider.logger = logger
            return provider
        case .local:
            guard let localServer else {
                throw EvolveError(.llm, "provider local needs the local model server to be started first")
            }
            var provider = try OpenAICompatibleProvider(
                config: config, environment: environment, baseURL: config.baseURL ?? localServer.baseURL,
                transport: transport)
            provider.logger = logger
            return provider
        }
    }
}
