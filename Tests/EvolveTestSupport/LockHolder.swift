import EvolveSupport
import Foundation

/// Holds an exclusive flock on `file` from another process, as a running search holds its archive's
/// `writer.lock`, and returns once it is held. The holder is one process (python3), so killing it lets the
/// lock go; `stop()` it in a `defer`.
public func holdLockFromAnotherProcess(_ file: String) throws -> Child {
    let program =
        "import fcntl, os, sys, time\n"
        + "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        + "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        + "time.sleep(600)\n"
    let holder = try Child("/usr/bin/python3", ["-c", program, file])
    for _ in 0..<1000 where holder.isRunning {
        if try shell(["flock", "--nonblock", "--exclusive", file, "true"]).status != 0 { return holder }
        usleep(10_000)
    }
    holder.stop()
    throw EvolveError(.io, "the lock holder never took \(file)")
}
