import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveArchive

/// One process at a time writes an archive (`WriterLock`): a second search must never repair a live one's
/// half-written refs or number variants beside it.
@Suite struct WriterLockTests {
    /// Holds the archive's writer lock from another process, as a running search would.
    func holdFromAnotherProcess(_ archive: String) throws -> Child {
        try Files.writeAtomically(Data("pid 4242, evolve search\n".utf8), to: "\(archive)/writer.lock")
        return try holdLockFromAnotherProcess("\(archive)/writer.lock")
    }

    @Test func aSecondWriterIsRefusedNamingTheFirstAndRepairsNothing() throws {
        let scratch = try Scratch()
        let path = try { try makeBranchingArchive(in: scratch).path }()  // closed again: its claim is let go
        // v7 as a live search leaves it while it writes its ref: row committed, ref lock taken. A second
        // writer's repair must not touch it.
        try Archive.open(at: path).db.run("UPDATE variants SET ref_written = 0 WHERE num = 7")
        let refLock = path + "/repo.git/refs/variants/v7.lock"
        try Files.writeAtomically(Data(), to: refLock)
        let holder = try holdFromAnotherProcess(path)
        defer { holder.stop() }

        do {
            _ = try Archive.open(at: path, repair: true)
            Issue.record("a second writer opened the archive")
        } catch let error as EvolveError {
            #expect(error.message.contains("is being written by another process (pid 4242, evolve search)"))
            #expect(error.hint?.contains("wait for it to end") == true)
        }
        #expect(Files.exists(refLock), "the refused writer repaired the live writer's files")
        #expect(kind { try Archive.open(at: path).doctor(repair: true) } == .invalidInput)
        #expect(kind { try Archive.rebuildIndex(at: path) } == .invalidInput)
        #expect(Files.exists(path + "/index.sqlite"), "the refused rebuild moved the index aside")

        // Readers go on meanwhile.
        let reader = try Archive.open(at: path)
        #expect(try reader.allVariants().count == 8)

        // However the holder ends (kill -9 here), the kernel lets the lock go: the next writer goes ahead.
        holder.signal(SIGKILL)
        _ = holder.wait()
        let writer = try Archive.open(at: path, repair: true)
        #expect(!Files.exists(refLock))
        let note = try String(contentsOfFile: path + "/writer.lock", encoding: .utf8)
        #expect(note == "pid \(getpid()), evolve search\n")
        _ = writer
    }

    @Test func claimsInOneProcessShareTheLockAndTheLastOneLetsItGo() throws {
        let scratch = try Scratch()
        let path = try makeBranchingArchive(in: scratch).path
        do {
            let first = try Archive.open(at: path, repair: true)
            let second = try Archive.open(at: path, repair: true)
            _ = try second.doctor(repair: true)
            let busy = try shell(["flock", "--nonblock", "--exclusive", path + "/writer.lock", "true"])
            #expect(busy.status != 0, "no lock was held while this process wrote the archive")
            _ = first
        }
        // A process another test thread is starting shares this process's descriptors until it execs (then
        // the lock's close-on-exec descriptor goes): allow for that moment on a loaded machine.
        var free = try shell(["flock", "--nonblock", "--exclusive", path + "/writer.lock", "true"])
        for _ in 0..<100 where free.status != 0 {
            usleep(100_000)
            free = try shell(["flock", "--nonblock", "--exclusive", path + "/writer.lock", "true"])
        }
        #expect(free.status == 0, "the lock outlived every archive that claimed it")
    }

    @Test func theLockFileNamesTheProcessAndTheCommandThatHoldsIt() throws {
        let scratch = try Scratch()
        try scratch.write("seed/a.txt", "0\n")
        let archive = try Archive.create(at: scratch.path + "/archive", seed: scratch.path + "/seed", for: "search")
        let note = try String(contentsOfFile: archive.path + "/writer.lock", encoding: .utf8)
        #expect(note == "pid \(getpid()), evolve search\n")
        #expect(archive.isBeingWritten)
    }

    @Test func aLinkInPlaceOfTheLockFileIsNotFollowed() throws {
        let scratch = try Scratch()
        let path = try { try makeBranchingArchive(in: scratch).path }()
        let outside = try scratch.write("outside.txt", "keep me\n")
        unlink(path + "/writer.lock")
        symlink(outside, path + "/writer.lock")
        #expect(kind { try Archive.open(at: path, repair: true) } == .io)
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "keep me\n")
    }
}
