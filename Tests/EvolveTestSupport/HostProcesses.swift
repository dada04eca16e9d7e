import Foundation

/// Host processes whose command line contains `marker` (a sandbox's pids are host pids too), as "pid: line".
public func hostProcesses(containing marker: String) -> [String] {
    let me = "\(getpid())"
    var found: [String] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
        guard entry != me, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if line.contains(marker) { found.append("\(entry): \(line)") }
    }
    return found
}

/// A unique word to find a test's processes and files by.
public func uniqueMarker(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
