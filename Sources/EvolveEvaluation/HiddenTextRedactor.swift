import EvolveSupport
import EvolveTasks
import Foundation

/// Removes hidden-test text from messages: any run of `window` or more characters that occurs in a task's
/// hidden test files becomes `[hidden test text]`. A wrong solution can raise an exception whose message
/// carries a test file; the meta-agent must not read it.
public struct HiddenTextRedactor: Sendable {
    /// Shortest run of characters that counts as copied from the tests.
    public static let window = 24
    public static let marker = "[hidden test text]"
    /// Test files read, at most (bigger ones are read up to this size).
    static let maxBytes = 2 << 20

    private let windows: Set<String>

    /// Every `window`-character run of the given texts, except runs that also occur in `public` (the task's
    /// statement, which the agent reads anyway).
    public init(texts: [String], public: [String] = []) {
        var windows = Set<String>()
        for text in texts { windows.formUnion(Self.runs(of: text)) }
        for text in `public` { windows.subtract(Self.runs(of: text)) }
        self.windows = windows
    }

    private static func runs(of text: String) -> Set<String> {
        let characters = Array(text)
        guard characters.count >= window else { return [] }
        var runs = Set<String>()
        for start in 0...(characters.count - window) { runs.insert(String(characters[start..<start + window])) }
        return runs
    }

    /// The redactor of the regular files under `testsPath` (none: a redactor that changes nothing); text of the
    /// file at `promptPath` is not hidden.
    public init(testsPath: String?, promptPath: String? = nil) {
        var texts: [String] = []
        var budget = Self.maxBytes
        if let testsPath, let walker = FileManager.default.enumerator(atPath: testsPath) {
            while let relative = walker.nextObject() as? String, budget > 0 {
                let path = "\(testsPath)/\(relative)"
                var info = stat()
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
                    let handle = FileHandle(forReadingAtPath: path)
                else { continue }
                let data = (try? handle.read(upToCount: budget)) ?? Data()
                try? handle.close()
                budget -= data.count
                texts.append(String(decoding: data, as: UTF8.self))
            }
        }
        let statement = promptPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        self.init(texts: texts, public: statement.map { [$0] } ?? [])
    }

    /// `text` with every run of hidden-test text replaced by the marker.
    public func redact(_ text: String) -> String {
        let characters = Array(text)
        guard !windows.isEmpty, characters.count >= Self.window else { return text }
        var hidden = [Bool](repeating: false, count: characters.count)
        for start in 0...(characters.count - Self.window)
        where windows.contains(String(characters[start..<start + Self.window])) {
            for i in start..<start + Self.window { hidden[i] = true }
        }
        guard hidden.contains(true) else { return text }
        var out = ""
        var i = 0
        while i < characters.count {
            if hidden[i] {
                out += Self.marker
                while i < characters.count && hidden[i] { i += 1 }
            } else {
                out.append(characters[i])
                i += 1
            }
        }
        return out
    }

    /// A verdict's message redacted, then cut to `limit` characters.
    public func trimmed(_ message: String?, limit: Int = 500) -> String? {
        guard let message else { return nil }
        let clean = redact(message)
        return clean.count <= limit ? clean : String(clean.prefix(limit)) + " […]"
    }

    // MARK: - Per task

    private static let cache = Locked<[String: HiddenTextRedactor]>([:])

    /// The redactor of a task's hidden tests (its statement's text excepted), built once per task.
    public static func forTask(_ task: SuiteTask) -> HiddenTextRedactor {
        let key = "\(task.testsPath ?? "")\u{0}\(task.promptPath)"
        if let known = cache.withLock({ $0[key] }) { return known }
        let made = HiddenTextRedactor(testsPath: task.testsPath, promptPath: task.promptPath)
        cache.withLock { $0[key] = made }
        return made
    }
}
