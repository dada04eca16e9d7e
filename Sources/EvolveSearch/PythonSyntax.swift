import EvolveSupport
import Foundation

/// Parses Python files with the standard library's `ast` (parsing never runs the code), in one Python
/// process kept for the whole run: a child's syntax check costs a parse, not an interpreter start (about
/// 25 ms of CPU each, most of what making a child cost with a fast model).
///
/// The process talks over a socket pair (fd 0 and 1): a request is the number of files, then for each its
/// label line, its byte count line and its bytes; the answer is one line, empty when every file parses.
/// The engine writes with `MSG_NOSIGNAL`, so a parser that died is an error, never a SIGPIPE. A parser that
/// dies on a file or takes over 20 s to answer (a hostile file may crash or stall it) is stopped and started
/// again once; if that happens again on the same files, they do not parse.
enum PythonSyntax {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    private struct Parser {
        var fd: Int32
        var pid: pid_t
    }

    private static let parser = Locked<Parser?>(nil)

    private static let script = """
        import ast, sys
        read = sys.stdin.buffer
        while True:
            header = read.readline()
            if not header:
                break
            error = ""
            for _ in range(int(header)):
                label = read.readline().decode("utf-8", "replace").rstrip("\\n")
                data = read.read(int(read.readline()))
                if error:
                    continue
                try:
                    ast.parse(data.decode("utf-8", "replace"), label)
                except SyntaxError as e:
                    error = f"{label}:{e.lineno}: {e.msg}"
                except (ValueError, RecursionError, MemoryError) as e:
                    error = f"{label}: {type(e).__name__}: {e}"
            sys.stdout.write(error.replace("\\n", " ") + "\\n")
            sys.stdout.flush()
        """

    /// The first syntax error among the files, as `path:line: message`; nil when all parse (or when no
    /// Python is installed, which is then not this check's business).
    static func firstError(in files: [(path: String, contents: String)]) throws -> String? {
        guard let python, !files.isEmpty else { return nil }
        var request = Data("\(files.count)\n".utf8)
        for file in files {
            let bytes = Data(file.contents.utf8)
            let label = file.path.map { $0 == "\n" || $0 == "\r" ? "?" : $0 }
            request.append(Data("\(String(label))\n\(bytes.count)\n".utf8))
            request.append(bytes)
        }
        return try parser.withLock { current -> String? in
            for _ in 0..<2 {
                if current == nil { current = try start(python) }
                if let answer = exchange(request, with: current!) {
                    let text = answer.trimmingCharacters(in: .whitespacesAndNewlines)
                    return text.isEmpty ? nil : text
                }
                stop(&current)
            }
            return "a file does not parse (the Python parser stopped on it)"
        }
    }

    private static func start(_ python: String) throws -> Parser {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw EvolveError(
                .io, "cannot make a socket pair for the Python parser: \(String(cString: strerror(errno)))")
        }
        defer { close(pair[1]) }
        // A file that keeps the parser busy this long does not parse: the check never holds up the search.
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(pair[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let spawn = Spawn(
            executable: python, arguments: [python, "-I", "-S", "-c", script],
            environment: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"],
            fileActions: [
                .duplicate(pair[1], to: 0), .duplicate(pair[1], to: 1), .open(2, path: "/dev/null", flags: O_WRONLY),
            ],
            closeDescriptorsFrom: 3, defaultSignals: Spawn.catchableSignals, clearSignalMask: true)
        do {
            return Parser(fd: pair[0], pid: try spawn.start(naming: "python3 (syntax check)"))
        } catch {
            close(pair[0])
            throw error
        }
    }

    /// Sends one request and reads the answer line; nil when the parser is gone.
    private static func exchange(_ request: Data, with parser: Parser) -> String? {
        let sent = request.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = send(parser.fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        guard sent else { return nil }
        var line = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(parser.fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            line.append(contentsOf: buffer[0..<n])
            if line.last == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
        }
    }

    private static func stop(_ current: inout Parser?) {
        guard let parser = current else { return }
        close(parser.fd)
        kill(parser.pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(parser.pid, &status, 0) < 0 && errno == EINTR {}
        current = nil
    }
}
