import EvolveSandbox
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

/// Every limit bounds the whole process tree and says why a step ended.
@Suite("Sandbox limits")
struct SandboxLimitTests {
    @Test func wallTimeKillsTheWholeTree() async throws {
        let marker = uniqueMarker("evolve-timeout")
        let result = try await sandboxed(
            "sh -c 'sleep 300; true' \(marker)-child & sh -c 'sleep 300; true' \(marker)-main",
            limits: SandboxLimits(timeoutSeconds: 1))
        #expect(result.termination == .timeout)
        #expect(!result.succeeded)
        #expect(hostProcesses(containing: marker).isEmpty)
    }

    @Test func aBackgroundProcessDoesNotOutliveTheStep() async throws {
        let marker = uniqueMarker("evolve-background")
        let scratch = try Scratch()
        let result = try await sandboxed(
            "sh -c 'sleep 2; echo late > /work/late.txt' \(marker) >/dev/null 2>&1 & echo left-behind",
            in: scratch)
        #expect(result.termination == .exited)
        #expect(result.output.contains("left-behind"))
        #expect(hostProcesses(containing: marker).isEmpty)
        try await Task.sleep(for: .seconds(3))
        #expect(!Files.exists(scratch.file("workspace/late.txt")))
    }

    @Test func closingTheOutputDoesNotEscapeTheClock() async throws {
        let result = try await sandboxed("exec >/dev/null 2>&1; sleep 300", limits: SandboxLimits(timeoutSeconds: 1))
        #expect(result.termination == .timeout)
    }

    @Test func memoryHogIsStoppedAndNamed() async throws {
        let result = try await sandboxed(
            "python3 -c 'x = bytearray(400 * 1024 * 1024); print(\"allocated\", len(x))'",
            limits: SandboxLimits(timeoutSeconds: 30, memoryMB: 64))
        #expect(result.termination == .memory)
        #expect(!result.output.contains("allocated"))
    }

    @Test func processCountIsBounded() async throws {
        let marker = uniqueMarker("evolve-forks")
        let script = """
            python3 -c '
            import os, sys, time
            n = 0
            try:
                while n < 500:
                    pid = os.fork()
                    if pid == 0:
                        time.sleep(30)
                        os._exit(0)
                    n += 1
            except OSError:
                pass
            print("forked", n)
            sys.stdout.flush()
            ' \(marker)
            """
        let result = try await sandboxed(script, limits: SandboxLimits(timeoutSeconds: 20, pids: 16))
        let line = result.output.split(separator: "\n").first { $0.hasPrefix("forked ") }
        let forked = line.flatMap { Int($0.dropFirst("forked ".count)) }
        #expect(forked != nil, "\(result.output)")
        #expect((forked ?? 999) < 16)
        if Sandbox.usesControlGroups { #expect(result.forksRefused > 0) }
        #expect(hostProcesses(containing: marker).isEmpty)
    }

    @Test func forkBombIsContainedAndTheHostCarriesOn() async throws {
        let result = try await sandboxed(
            "bomb() { bomb | bomb & }; bomb; sleep 300", limits: SandboxLimits(timeoutSeconds: 3, pids: 64))
        #expect(result.termination == .timeout || result.termination == .exited)
        #expect(!result.succeeded)
        let after = try await sandboxed("echo still-working")
        #expect(after.output.contains("still-working"))
    }

    @Test func floodOfOutputIsCappedCountedAndStopped() async throws {
        let result = try await sandboxed("yes evolve-flood", limits: SandboxLimits(timeoutSeconds: 30, outputKB: 4))
        #expect(result.termination == .outputCap)
        #expect(result.outputBytesKept <= 4 * 1024)
        #expect(result.outputBytesDropped >= 4 * 1024 * (SandboxLimits.outputKillFactor - 1))
        #expect(result.output.contains("evolve-flood"))
        #expect(result.output.contains("dropped"))
        #expect(result.output.utf8.count < 8 * 1024)
    }

    @Test func outputBelowTheCeilingIsTruncatedButTheStepFinishes() async throws {
        let result = try await sandboxed(
            "head -c 20000 /dev/zero | tr '\\0' a; echo; echo THE-END", limits: SandboxLimits(outputKB: 4))
        #expect(result.termination == .exited)
        #expect(result.succeeded)
        #expect(result.outputBytesDropped > 0)
        #expect(result.output.contains("THE-END"), "the tail of the output is kept")
    }

    @Test func fileSizeIsBounded() async throws {
        let scratch = try Scratch()
        let result = try await sandboxed(
            "head -c 3000000 /dev/zero > big.bin; echo status $?", limits: SandboxLimits(fileSizeMB: 1), in: scratch)
        let size = (try? FileManager.default.attributesOfItem(atPath: scratch.file("workspace/big.bin"))[.size] as? Int)
        #expect((size ?? 0) <= 1024 * 1024)
        #expect(!result.output.contains("status 0"))
    }

    @Test func cancellingTheTaskKillsTheStep() async throws {
        let marker = uniqueMarker("evolve-cancel")
        let task = Task { try await sandboxed("sh -c 'sleep 300; true' \(marker)") }
        try await Task.sleep(for: .milliseconds(500))
        task.cancel()
        let result = try await task.value
        #expect(result.termination == .killed)
        #expect(hostProcesses(containing: marker).isEmpty)
    }

    @Test func badLimitsAreRejectedWithTheKeyName() {
        #expect(throws: EvolveError.self) { try SandboxLimits(timeoutSeconds: 0).validate() }
        do {
            try SandboxLimits(pids: 0).validate()
            Issue.record("pids: 0 was accepted")
        } catch let error as EvolveError {
            #expect(error.message.contains("sandbox.pids"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func limitsDecodeFromTheConfigurationSpelling() throws {
        let json = #"{"timeout_s": 7, "memory_mb": 512, "output_kb": 8}"#
        let limits = try JSONDecoder().decode(SandboxLimits.self, from: Data(json.utf8))
        #expect(limits.timeoutSeconds == 7)
        #expect(limits.memoryMB == 512)
        #expect(limits.outputKB == 8)
        #expect(limits.pids == SandboxLimits.standard.pids)
    }
}
