import EvolveSandbox
import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a step folder's `spec.json` holds: the sandbox spec (its keys at the top level) and, when the gateway
/// listens on TCP (`executor.gateway_address`), the endpoint under `gateway`. Such a spec binds no socket of
/// the engine's machine: the node's `evolve run-step` relays to the endpoint (`NodeGatewayRelay`).
public struct StagedStep: Sendable {
    public var spec: SandboxSpec
    public var gateway: StepGateway?

    public init(spec: SandboxSpec, gateway: StepGateway?) {
        self.spec = spec
        self.gateway = gateway
    }
}

extension StagedStep: Codable {
    private enum Key: String, CodingKey { case gateway }

    public init(from decoder: any Decoder) throws {
        spec = try SandboxSpec(from: decoder)
        gateway = try decoder.container(keyedBy: Key.self).decodeIfPresent(StepGateway.self, forKey: .gateway)
    }

    public func encode(to encoder: any Encoder) throws {
        try spec.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(gateway, forKey: .gateway)
    }
}

// MARK: - Running a step through the node's relay

extension StepFolder {
    /// Runs `staged.spec` with `run`; when it names a TCP gateway, a node-local relay's socket is bound where
    /// the gateway's socket goes, for the step's whole life, and removed when the step ends, is cancelled,
    /// or `run-step` is sent SIGTERM, SIGINT or SIGHUP (Slurm's `scancel` and time limit).
    static func withRelay(
        _ staged: StagedStep, relayLimits: NodeRelayLimits,
        run: (SandboxSpec) async throws -> SandboxResult
    ) async throws -> SandboxResult {
        guard let gateway = staged.gateway else { return try await run(staged.spec) }
        let relay = try NodeGatewayRelay(to: gateway, limits: relayLimits)
        let teardown = SignalTeardown(socket: relay.socketPath, folder: relay.folder)
        defer {
            teardown.cancel()
            relay.stop()
        }
        var spec = staged.spec
        spec.binds.removeAll { $0.destination == gateway.socketInSandbox }
        spec.binds.append(.init(source: relay.socketPath, destination: gateway.socketInSandbox))  // read-only
        return try await run(spec)
    }
}

/// While it lives, SIGTERM, SIGINT and SIGHUP remove the relay's socket and folder and then end the process
/// with that signal, as the default action would have (so Slurm still sees the job killed). The handler does
/// only what a signal handler may (`unlink`, `rmdir`, `signal`, `raise`) on paths copied beforehand. One at a
/// time per process (`evolve run-step` runs one step); a second one while the first lives watches nothing.
final class SignalTeardown: @unchecked Sendable {
    static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
    private static let active = Locked(false)
    private let installed: Bool

    init(socket: String, folder: String) {
        installed = Self.active.withLock { active in
            defer { active = true }
            return !active
        }
        guard installed else { return }
        teardownSocket = strdup(socket)
        teardownFolder = strdup(folder)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in Self.signals {
            signal(number, teardownOnSignal)
            sigaddset(&unblock, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Stops watching; the signals get their default action again.
    func cancel() {
        guard installed else { return }
        for number in Self.signals { signal(number, SIG_DFL) }
        free(teardownSocket)
        free(teardownFolder)
        teardownSocket = nil
        teardownFolder = nil
        Self.active.withLock { $0 = false }
    }
}

/// The relay's paths for `teardownOnSignal`, set and cleared by `SignalTeardown` only.
private nonisolated(unsafe) var teardownSocket: UnsafeMutablePointer<CChar>?
private nonisolated(unsafe) var teardownFolder: UnsafeMutablePointer<CChar>?

private func teardownOnSignal(_ number: Int32) {
    if let socket = teardownSocket { unlink(socket) }
    if let folder = teardownFolder { rmdir(folder) }
    signal(number, SIG_DFL)
    raise(number)  // delivered when the handler returns: the process ends of the signal
}
