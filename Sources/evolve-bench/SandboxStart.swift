import EvolveSandbox
import EvolveSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - sandbox-start

/// Start-up cost of one sandboxed step: `/bin/true` run `runs` times each way, interleaved so background
/// noise hits every series alike: a bare `posix_spawn` + wait, bubblewrap alone with the very same mounts and
/// namespaces (no limits, no handshake, no capture), and `Sandbox.run` (limits, capture, teardown). Prints
/// medians and 90th percentiles in ms, and the overhead of a sandboxed step over a bare process.
func sandboxStart(runs: Int) async throws {
    let workspace = try Files.makeTemporaryDirectory(prefix: "bench-sandbox")
    defer { Files.removeTree(workspace) }
    let spec = SandboxSpec(command: .argv(["/bin/true"]), workspace: workspace)
    let sandbox = Sandbox()
    var plain = try sandbox.bwrapArguments(for: spec)
    for flag in ["--info-fd", "--block-fd"] {
        if let i = plain.firstIndex(of: flag) { plain.removeSubrange(i...(i + 1)) }
    }
    for _ in 0..<10 {  // page cache, the one-time control-group probe
        _ = try await sandbox.run(spec)
        _ = try spawnAndWait(["/bin/true"])
    }
    var bare: [Double] = []
    var bwrap: [Double] = []
    var boxed: [Double] = []
    for _ in 0..<runs {
        bare.append(try spawnAndWait(["/bin/true"]))
        bwrap.append(try spawnAndWait([sandbox.bwrapPath] + plain))
        let start = monotonicSeconds()
        let result = try await sandbox.run(spec)
        boxed.append(monotonicSeconds() - start)
        guard result.succeeded else { throw EvolveError(.io, "/bin/true failed in the sandbox") }
    }
    func ms(_ x: Double) -> String { String(format: "%.2f", x * 1000) }
    print(
        "sandbox-start runs=\(runs) bare_ms=\(ms(median(bare))) bare_p90_ms=\(ms(p90(bare))) "
            + "bwrap_ms=\(ms(median(bwrap))) bwrap_p90_ms=\(ms(p90(bwrap))) sandbox_ms=\(ms(median(boxed))) "
            + "sandbox_p90_ms=\(ms(p90(boxed))) overhead_ms=\(ms(median(boxed) - median(bare))) "
            + "limits=\"\(Sandbox.enforcement)\"")
}

/// Spawns `argv` directly (output to /dev/null, empty environment), waits, and returns the seconds it took.
func spawnAndWait(_ arguments: [String]) throws -> Double {
    let start = monotonicSeconds()
    let pid = try Spawn(
        executable: arguments[0], arguments: arguments, environment: [],
        fileActions: [.open(1, path: "/dev/null", flags: O_WRONLY), .open(2, path: "/dev/null", flags: O_WRONLY)]
    ).start()
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0 else { throw EvolveError(.io, "\(arguments[0]) failed with status \(status)") }
    return monotonicSeconds() - start
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func p90(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
}
