import Foundation

/// Keeps the head and the tail of a stream within a fixed budget and counts the rest, so a step that prints
/// gigabytes costs a few hundred kilobytes of memory.
struct OutputCapture {
    private let headLimit: Int
    private let tailLimit: Int
    private var head: [UInt8] = []
    /// The last bytes seen beyond the head; trimmed to `tailLimit` when rendered.
    private var tail: [UInt8] = []
    private(set) var totalBytes = 0

    /// Keeps `budget` bytes: three quarters from the start, one quarter from the end.
    init(budget: Int) {
        let budget = max(budget, 2)
        tailLimit = budget / 4
        headLimit = budget - tailLimit
        head.reserveCapacity(min(headLimit, 64 * 1024))
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        totalBytes += bytes.count
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty, tailLimit > 0 else { return }
        if rest.count >= tailLimit {
            tail = Array(rest.suffix(tailLimit))
        } else {
            tail.append(contentsOf: rest)
            // Trim lazily: at most twice the limit is ever held.
            if tail.count > 2 * tailLimit { tail.removeFirst(tail.count - tailLimit) }
        }
    }

    private var keptTail: ArraySlice<UInt8> { tail.suffix(tailLimit) }

    var keptBytes: Int { head.count + keptTail.count }
    var droppedBytes: Int { totalBytes - keptBytes }

    /// The kept text; when bytes were dropped, a marker between head and tail says how many.
    func rendered() -> String {
        let dropped = droppedBytes
        var text = String(decoding: head, as: UTF8.self)
        if dropped > 0 { text += "\n[… \(formatBytes(dropped)) of output dropped …]\n" }
        text += String(decoding: keptTail, as: UTF8.self)
        return text
    }
}
