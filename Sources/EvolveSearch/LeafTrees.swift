/// Weights by variant number in a complete binary tree of sums: a weight changes in O(log n), and a draw
/// proportional to the weights walks down from the root in O(log n), where a list would be summed and
/// scanned every draw.
///
/// Every inner node is recomputed from its two children, never adjusted by a difference, so the sums depend
/// on the weights alone: the same weights give the same draws bit for bit however they were reached (a
/// resumed run draws as the uninterrupted one did). Absent variants weigh 0, and the capacity only pads
/// with zeros, which add nothing to a sum.
struct WeightTree {
    /// Node 1 is the root; node i's children are 2i and 2i + 1; leaf j is node `capacity + j`.
    private var sums: [Double] = [0, 0]
    private var capacity = 1

    /// The sum of all weights.
    var total: Double { sums[1] }

    /// Sets the weight of `leaf` (0 takes it out).
    mutating func set(_ leaf: Int, _ weight: Double) {
        if leaf >= capacity {
            if weight == 0 { return }
            grow(to: leaf + 1)
        }
        var node = capacity + leaf
        sums[node] = weight
        while node > 1 {
            node /= 2
            sums[node] = sums[2 * node] + sums[2 * node + 1]
        }
    }

    /// The weight of `leaf`.
    func weight(_ leaf: Int) -> Double { leaf < capacity ? sums[capacity + leaf] : 0 }

    /// The leaf that `target` (in 0 ..< total) falls on, the leaves laid end to end in order. Never a leaf of
    /// weight 0; nil when all weigh 0.
    func leaf(at target: Double) -> Int? {
        guard total > 0 else { return nil }
        var target = target
        var node = 1
        while node < capacity {
            let left = sums[2 * node]
            let right = sums[2 * node + 1]
            if right == 0 || (left > 0 && target < left) {
                node = 2 * node
            } else {
                target -= left
                node = 2 * node + 1
            }
        }
        return node - capacity
    }

    private mutating func grow(to count: Int) {
        var newCapacity = capacity
        while newCapacity < count { newCapacity *= 2 }
        var grown = [Double](repeating: 0, count: 2 * newCapacity)
        for j in 0..<capacity { grown[newCapacity + j] = sums[capacity + j] }
        for node in stride(from: newCapacity - 1, through: 1, by: -1) {
            grown[node] = grown[2 * node] + grown[2 * node + 1]
        }
        (sums, capacity) = (grown, newCapacity)
    }
}

/// The best leaf by score, ties to the highest number, in a complete binary tree of maxima: a score changes
/// in O(log n) and the best is read at the root.
struct BestTree {
    /// Node 1 is the root; each node holds the best leaf below it (-1: none).
    private var best: [Int] = [-1, -1]
    private var scores: [Double] = [-.infinity]
    private var capacity = 1

    /// The best leaf (nil when there is none).
    var top: Int? { best[1] < 0 ? nil : best[1] }

    /// Sets the score of `leaf`, or takes it out (nil).
    mutating func set(_ leaf: Int, _ score: Double?) {
        if leaf >= capacity {
            if score == nil { return }
            grow(to: leaf + 1)
        }
        scores[leaf] = score ?? -.infinity
        var node = capacity + leaf
        best[node] = score == nil ? -1 : leaf
        while node > 1 {
            node /= 2
            best[node] = better(best[2 * node], best[2 * node + 1])
        }
    }

    /// Of two leaves (-1: none), the higher score, ties to the higher number.
    private func better(_ a: Int, _ b: Int) -> Int {
        if a < 0 { return b }
        if b < 0 { return a }
        return (scores[a], a) < (scores[b], b) ? b : a
    }

    private mutating func grow(to count: Int) {
        var newCapacity = capacity
        while newCapacity < count { newCapacity *= 2 }
        var grown = [Int](repeating: -1, count: 2 * newCapacity)
        for j in 0..<capacity { grown[newCapacity + j] = best[capacity + j] }
        scores += [Double](repeating: -.infinity, count: newCapacity - scores.count)
        (best, capacity) = (grown, newCapacity)
        for node in stride(from: newCapacity - 1, through: 1, by: -1) {
            best[node] = better(best[2 * node], best[2 * node + 1])
        }
    }
}
