import EvolveSupport
import Foundation

/// Long-lived threads that spawn and watch sandboxes, one step at a time each.
///
/// A step blocks in poll() and waitpid() for its whole life, which must not hold one of the few cooperative
/// threads, so it runs on a thread of its own. Threads are kept: each one sits in its own control groups
/// (see `ControlGroup`) so that the sandboxes it spawns are born there, and keeps --die-with-parent meaningful
/// (the parent-death signal follows the thread that spawned bubblewrap). The pool grows to the largest number
/// of steps run at once and never shrinks.
final class SandboxSlots: Sendable {
    static let shared = SandboxSlots()

    typealias Job = @Sendable (ControlGroup?) -> Void

    /// Slots waiting for a job, and how many slots there are.
    private let slots = Locked<(idle: [Slot], count: Int)>(([], 0))

    /// Runs `job` on an idle slot's thread (a new slot when all are busy).
    func submit(_ job: @escaping Job) {
        let slot: Slot = slots.withLock { slots in
            if let slot = slots.idle.popLast() { return slot }
            slots.count += 1
            return Slot(index: slots.count, pool: self)
        }
        slot.start(job)
    }

    fileprivate func finished(_ slot: Slot) {
        slots.withLock { $0.idle.append(slot) }
    }
}

private final class Slot: @unchecked Sendable {
    private let condition = NSCondition()
    private var job: SandboxSlots.Job?
    private unowned let pool: SandboxSlots

    init(index: Int, pool: SandboxSlots) {
        self.pool = pool
        let thread = Thread { [self] in self.loop() }
        thread.name = "evolve-sandbox-\(index)"
        thread.start()
    }

    func start(_ job: @escaping SandboxSlots.Job) {
        condition.withLock {
            self.job = job
            condition.signal()
        }
    }

    private func loop() {
        var group = ControlGroup.joinNew()
        while true {
            let next: SandboxSlots.Job = condition.withLock {
                while job == nil { condition.wait() }
                return job!
            }
            // Groups could be made here but joining failed: try again rather than run a step unbounded.
            if group == nil, ControlGroupRoots.current.available { group = ControlGroup.joinNew() }
            next(group)
            condition.withLock { job = nil }
            pool.finished(self)
        }
    }
}
