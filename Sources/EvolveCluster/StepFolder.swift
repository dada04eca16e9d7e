import EvolveSandbox
import EvolveSupport
import Foundation

/// What `evolve run-step` leaves in a step folder: how the step ended, or why it could not run.
public struct StepResultFile: Sendable, Codable, Equatable {
    public var result: SandboxResult?
    /// Set when the sandbox could not be set up on the node (bubblewrap missing, a bind not found …).
    public var error: String?
    /// The node that ran the step.
    public var host: String

    public init(result: SandboxResult?, error: String?, host: String) {
        self.result = result
        self.error = error
        self.host = host
    }
}

/// A step's folder on the shared folder, `shared_dir/<run>/<step>/`:
///
///     spec.json      the step, its paths rewritten to this folder (what the node runs)
///     job.sh         the batch script: exec <evolve> run-step <this folder>
///     workspace/     a copy of the step's workspace; copied back after the step
///     binds/<n>/     copies of the step's binds (a Unix socket stays where it is: it cannot be copied)
///                    (with a TCP gateway, the gateway's socket is not bound from here at all: spec.json's
///                    `gateway` names its TCP endpoint and `run-step` relays to it from a node-local socket)
///     result.json    written atomically by the node when the step ended
///     slurm-<id>.out the job's own output (Slurm's and run-step's messages, not the step's)
public struct StepFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var specPath: String { path + "/spec.json" }
    public var resultPath: String { path + "/result.json" }
    public var scriptPath: String { path + "/job.sh" }
    public var workspacePath: String { path + "/workspace" }

    // MARK: - On the engine's machine

    /// Copies the step's workspace and binds here (replacing an earlier attempt's) and writes `spec.json` and
    /// `job.sh`. Returns the spec as the node runs it.
    ///
    /// With `gateway`, a step that binds the gateway's socket (`gateway.socketInSandbox`; an agent step, not a
    /// check step) has that bind left out of the spec: `spec.json` names the gateway's TCP endpoint instead, and
    /// `runHere` binds a node-local relay there. A step without that bind gets no relay, as locally.
    @discardableResult
    public func stage(_ spec: SandboxSpec, evolvePath: String, gateway: StepGateway? = nil) throws -> SandboxSpec {
        let gateway = gateway.flatMap { g in spec.binds.contains { $0.destination == g.socketInSandbox } ? g : nil }
        Files.removeTree(path)
        try makeFolder(path)
        try copyTree(spec.workspace, to: workspacePath)
        var remote = spec
        remote.workspace = workspacePath
        try makeFolder(path + "/binds")
        for (index, bind) in spec.binds.enumerated() where !Self.isSocket(bind.source) {
            if let gateway, bind.destination == gateway.socketInSandbox { continue }
            let copy = "\(path)/binds/\(index)"
            try copyTree(bind.source, to: copy)
            remote.binds[index].source = copy
        }
        if let gateway { remote.binds.removeAll { $0.destination == gateway.socketInSandbox } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try Files.writeAtomically(try encoder.encode(StagedStep(spec: remote, gateway: gateway)), to: specPath)
        let script = "#!/bin/sh\nexec \(shellQuoted(evolvePath)) run-step \(shellQuoted(path))\n"
        try Files.writeAtomically(Data(script.utf8), to: scriptPath)
        return remote
    }

    /// The result the node wrote, nil while there is none (or it is unreadable: a half-written file cannot
    /// exist, result.json is renamed into place).
    public func readResult() -> StepResultFile? {
        guard let data = FileManager.default.contents(atPath: resultPath) else { return nil }
        return try? JSONDecoder().decode(StepResultFile.self, from: data)
    }

    /// The spec staged here, nil when there is none.
    public func readSpec() -> SandboxSpec? { readStaged()?.spec }

    /// The spec staged here and the gateway endpoint it names, nil when there is none.
    public func readStaged() -> StagedStep? {
        guard let data = FileManager.default.contents(atPath: specPath) else { return nil }
        return try? JSONDecoder().decode(StagedStep.self, from: data)
    }

    /// Replaces the contents of `workspace` with the step's workspace as the node left it, and the contents
    /// of writable binds likewise. Symbolic links are copied as links, never followed.
    public func copyBack(into spec: SandboxSpec) throws {
        try replaceContents(of: spec.workspace, with: workspacePath)
        for (index, bind) in spec.binds.enumerated() where bind.writable && !Self.isSocket(bind.source) {
            guard Files.isDirectory(bind.source) else { continue }
            try replaceContents(of: bind.source, with: "\(path)/binds/\(index)")
        }
    }

    // MARK: - On the node (`evolve run-step`)

    /// Runs the staged spec in bubblewrap here (through a node-local relay to the gateway's TCP endpoint when the
    /// spec names one, see `NodeGatewayRelay`) and writes `result.json` atomically. Returns the exit status for
    /// `evolve run-step`: 0 when a result file was written.
    public func runHere(sandbox: Sandbox = Sandbox(), relayLimits: NodeRelayLimits = .standard) async -> Int32 {
        let host = ProcessInfo.processInfo.hostName
        let file: StepResultFile
        if let staged = readStaged() {
            do {
                let result = try await Self.withRelay(staged, relayLimits: relayLimits) { try await sandbox.run($0) }
                file = StepResultFile(result: result, error: nil, host: host)
            } catch {
                file = StepResultFile(result: nil, error: "\(error)", host: host)
            }
        } else {
            file = StepResultFile(result: nil, error: "no readable spec.json in \(path)", host: host)
        }
        do {
            try Files.writeAtomically(try JSONEncoder().encode(file), to: resultPath)
            return 0
        } catch {
            FileHandle.standardError.write(Data("evolve run-step: \(error)\n".utf8))
            return 1
        }
    }

    // MARK: - Files

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }

    private func makeFolder(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EvolveError(
                .io, "cannot make the step folder \(folder): \(error.localizedDescription)",
                hint: "executor.shared_dir must be writable on this machine and on the nodes")
        }
    }

    private func replaceContents(of folder: String, with source: String) throws {
        guard Files.isDirectory(source) else {
            throw EvolveError(.io, "the step left no folder \(source) to copy back")
        }
        for entry in Files.entries(folder) ?? [] { Files.removeTree(folder + "/" + entry) }
        for entry in Files.entries(source) ?? [] { try copyTree(source + "/" + entry, to: folder + "/" + entry) }
    }

    /// `cp -a` (a file or a folder; links stay links, modes and times kept).
    private func copyTree(_ source: String, to destination: String) throws {
        let out = try SlurmClient.runNow("/bin/cp", ["-a", "--no-target-directory", "--", source, destination])
        guard out.status == 0 else {
            throw EvolveError(.io, "cannot copy \(source) to \(destination): \(out.text.prefix(300))")
        }
    }
}

/// A word for /bin/sh: single-quoted, with any single quote escaped.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
