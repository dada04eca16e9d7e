import EvolveSupport
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM for a command that runs sandboxes.
///
/// With `onInterrupt`, the first signal asks the work to stop (a search finishes what it is recording) and a
/// second one exits at once. Without it, the first signal exits at once. Either way the process ends through
/// `exit`, so the sandboxes are killed and their control groups removed (exit handlers do not run when a
/// signal kills the process).
public final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    /// Signals received so far.
    private let received = Locked(0)

    public init(note: @escaping @Sendable (String) -> Void, onInterrupt: (@Sendable () -> Void)?) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.received.increment()
                if n == 1, let onInterrupt {
                    note("Stopping: finishing what is being recorded (Ctrl-C again to quit at once)…")
                    onInterrupt()
                } else {
                    if onInterrupt == nil { note("interrupted: outcomes recorded so far are kept") }
                    Foundation.exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Back to the default: a signal ends the process.
    public func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
