import EvolveSupport
import Foundation

/// HGM's Thompson draw (the candidate whose θ ~ Beta(1 + clade passes, 1 + clade fails) is largest) over
/// candidates grouped by their clade counts, without a Beta draw for every candidate.
///
/// Candidates with the same counts draw from the same Beta, so each is the winner of its group with the same
/// chance, and the largest θ of a group of m has the upper tail τ = 1 − U^(1/m) for one uniform U: its θ is
/// the point where the Beta's tail is τ. A group's θ beats the best so far, x, exactly when τ is below the
/// tail at x; a cheap bound on that tail (the Beta is sub-Gaussian with variance proxy 1/(4(a + b + 1)))
/// settles most groups without the incomplete beta function (a group the bound puts beyond any uniform's
/// reach draws no number at all), and only a group that does beat x has its θ worked out (by bisection).
/// Large groups (the leaves and small clades that share their counts) go first, so x is high early and the
/// large, concentrated clades, which rarely win, cost a uniform and a comparison.
///
/// Each group draws from a generator of its own, seeded from the draw's one number and its counts, so the
/// result does not depend on the order groups are stored in: the same candidates and seed give the same
/// parent. The winner follows the distribution of a θ for every candidate; the random numbers are not the
/// ones the list's draw took, so a seed picks other parents than it did before the pool kept this index.
/// Up to `drawnDirectly` candidates every candidate draws its θ (from its group's generator), as cheap there.
struct CladeGroups {
    struct Key: Hashable {
        var passes: Int
        var fails: Int
    }

    private struct Group {
        var key: Key
        /// Variant numbers, ascending.
        var members: [Int]
    }

    /// Groups of more than this many are settled first.
    static let large = 8
    /// With at most this many candidates, each draws its own θ.
    let drawnDirectly: Int

    init(drawnDirectly: Int = 4096) { self.drawnDirectly = drawnDirectly }

    /// In no particular order (a group leaving swaps the last one into its place).
    private var groups: [Group] = []
    private var slot: [Key: Int] = [:]
    private var keyOf: [Int: Key] = [:]
    private var memberCount = 0

    /// Puts variant `number` in the group of `key`, or takes it out (nil).
    mutating func set(_ number: Int, _ key: Key?) {
        let old = keyOf[number]
        guard old != key else { return }
        if let old, let g = slot[old] {
            groups[g].members.remove(at: Self.lowerBound(groups[g].members, number))
            memberCount -= 1
            if groups[g].members.isEmpty {
                slot[old] = nil
                let last = groups.removeLast()
                if g < groups.count {
                    groups[g] = last
                    slot[last.key] = g
                }
            }
        }
        keyOf[number] = key
        guard let key else { return }
        memberCount += 1
        guard let g = slot[key] else {
            slot[key] = groups.count
            groups.append(Group(key: key, members: [number]))
            return
        }
        if let last = groups[g].members.last, last < number {
            groups[g].members.append(number)
        } else {
            groups[g].members.insert(number, at: Self.lowerBound(groups[g].members, number))
        }
    }

    /// The winner of one Thompson draw (nil when there are no candidates).
    func draw(_ rng: inout SeededGenerator) -> Int? {
        guard !groups.isEmpty else { return nil }
        let seed = rng.next()
        var best = Best()
        if memberCount <= drawnDirectly {
            for group in groups {
                var g = Self.generator(seed, group.key)
                let (a, b) = Self.shape(group.key)
                for number in group.members { best.consider(g.beta(a, b), group.key, winner: number) }
            }
            return best.winner
        }
        // The large groups first, so the best is high early; each group's tail from its own generator.
        for pass in 0..<2 {
            for (i, group) in groups.enumerated() where (group.members.count > Self.large) == (pass == 0) {
                let (a, b) = Self.shape(group.key)
                let m = Double(group.members.count)
                var bound = 0.0  // −log of a bound on the Beta's tail at the best so far (0: none)
                if best.theta >= 0 {
                    let gap = best.theta - a / (a + b)
                    if gap > 0 { bound = 2 * (a + b + 1) * gap * gap }
                    // No tail a uniform can give (≥ 2⁻⁵³/m) is below e^−bound: the group cannot win.
                    if bound > 38 + m { continue }
                }
                var g = Self.generator(seed, group.key)
                let u = max(g.unit(), .leastNonzeroMagnitude)
                // P(largest > θ) = 1 − U^(1/m), kept as a tail for precision near 1.
                let tail = group.members.count == 1 ? 1 - u : -expm1(log(u) / m)
                if best.theta >= 0 {
                    if bound > 0 && log(tail) >= -bound { continue }
                    if BetaFunction.tail(best.theta, a, b) <= tail { continue }
                }
                best.consider(BetaFunction.quantileOfTail(tail, a, b), group.key, winner: i)
            }
        }
        guard best.winner >= 0 else { return nil }
        let members = groups[best.winner].members
        var g = Self.generator(seed, groups[best.winner].key)
        _ = g.unit()
        return members[min(Int(g.unit() * Double(members.count)), members.count - 1)]
    }

    /// The largest θ so far, ties to the larger counts (so the order groups are visited in does not matter).
    private struct Best {
        var theta = -1.0
        var key = Key(passes: -1, fails: -1)
        var winner = -1

        mutating func consider(_ t: Double, _ k: Key, winner w: Int) {
            if (t, k.passes, k.fails) > (theta, key.passes, key.fails) { (theta, key, winner) = (t, k, w) }
        }
    }

    private static func shape(_ key: Key) -> (Double, Double) { (1 + Double(key.passes), 1 + Double(key.fails)) }

    /// A group's own generator for one draw.
    private static func generator(_ seed: UInt64, _ key: Key) -> SeededGenerator {
        SeededGenerator(
            seed: seed ^ (UInt64(truncatingIfNeeded: key.passes) &* 0x9E37_79B9_7F4A_7C15)
                ^ (UInt64(truncatingIfNeeded: key.fails) &* 0xC2B2_AE3D_27D4_EB4F))
    }

    private static func lowerBound(_ sorted: [Int], _ value: Int) -> Int {
        var (lo, hi) = (0, sorted.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

// MARK: - The Beta distribution

/// The Beta distribution's upper tail and its inverse, from the regularized incomplete beta function
/// (continued fraction, modified Lentz).
enum BetaFunction {
    /// P(θ > x) for θ ~ Beta(a, b).
    static func tail(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        return regularized(1 - x, b, a)
    }

    /// The θ with P(Beta(a, b) > θ) = `tail`, by bisection to the last bits of a double.
    static func quantileOfTail(_ tail: Double, _ a: Double, _ b: Double) -> Double {
        var (lo, hi) = (0.0, 1.0)
        for _ in 0..<64 {
            let mid = (lo + hi) / 2
            if mid <= lo || mid >= hi { break }
            if Self.tail(mid, a, b) > tail { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b), the distribution function of Beta(a, b) at x.
    static func regularized(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) { return front * continuedFraction(x, a, b) / a }
        return 1 - front * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let (qab, qap, qam) = (a + b, a + 1, a - 1)
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for step in 1...100_000 {
            let m = Double(step)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
