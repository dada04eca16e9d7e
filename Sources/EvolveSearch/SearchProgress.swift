import EvolveArchive
import EvolveSupport
import Foundation

/// What the search tells whoever watches it.
public enum SearchEvent: Sendable {
    case runStarted(run: String, resumed: Bool, generations: Int)
    case seedEvaluated(Variant)
    case childStarted(generation: Int, slot: Int, operator: String, parents: [VariantID])
    case childRecorded(generation: Int, slot: Int, variant: Variant)
    case childEvaluating(generation: Int, slot: Int, variant: VariantID, done: Int, total: Int)
    case childScored(generation: Int, slot: Int, variant: Variant)
    case generationDone(GenerationSummary)
    case stopped(SearchOutcome)
}

/// Receives search events (from any thread).
public protocol SearchObserver: Sendable {
    func event(_ event: SearchEvent)
}

/// Prints the search for a person: on a terminal, a live line per child being made or evaluated, redrawn
/// in place, and one summary line per generation; elsewhere (a log file, CI), plain lines only.
public final class TerminalProgress: SearchObserver, Sendable {
    /// A live line's place: children of several generations are in flight at once in the pipeline.
    private struct Line: Hashable, Comparable {
        var generation: Int
        var slot: Int
        static func < (a: Line, b: Line) -> Bool { (a.generation, a.slot) < (b.generation, b.slot) }
    }

    /// The live text by child, and how many live lines are on the screen now.
    private typealias Screen = (lines: [Line: String], drawn: Int)

    private let live: Bool
    private let color: Bool
    /// Held while an event is drawn, so that lines from several threads never interleave.
    private let screen = Locked<Screen>(([:], 0))
    private let write: @Sendable (String) -> Void

    public init(
        live: Bool = Terminal.stderrIsTTY,
        write: @escaping @Sendable (String) -> Void = { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    ) {
        self.live = live
        self.color = live && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        self.write = write
    }

    public func event(_ event: SearchEvent) {
        screen.withLock { draw(event, on: &$0) }
    }

    private func draw(_ event: SearchEvent, on screen: inout Screen) {
        switch event {
        case .runStarted(let run, let resumed, let generations):
            print((resumed ? "Resuming run \(run)" : "Run \(run)") + ": \(generations) generations", on: &screen)
        case .seedEvaluated(let v):
            screen.lines.removeValue(forKey: Line(generation: 0, slot: 0))
            print("  seed \(v.id) scored \(format(v.score))", on: &screen)
        case .childStarted(let g, let slot, let op, let parents):
            update(
                Line(generation: g, slot: slot),
                "gen \(g) · child \(slot + 1): \(op) from \(parents.map(\.description).joined(separator: " + "))…",
                plain: false, on: &screen)
        case .childRecorded(let g, let slot, let v):
            if v.status == .invalid {
                update(
                    Line(generation: g, slot: slot),
                    "gen \(g) · \(v.id): invalid (\(DisplayText.escaped(v.reason ?? "?")))", plain: true,
                    on: &screen)
            } else {
                update(
                    Line(generation: g, slot: slot),
                    "gen \(g) · \(v.id): \(DisplayText.escaped(String(v.summary.prefix(60)))) — evaluating",
                    plain: true,
                    on: &screen)
            }
        case .childEvaluating(let g, let slot, let id, let done, let total):
            update(
                Line(generation: g, slot: slot), "gen \(g) · \(id): evaluating \(done)/\(total) tasks", plain: false,
                on: &screen)
        case .childScored(let g, let slot, let v):
            update(
                Line(generation: g, slot: slot), "gen \(g) · \(v.id): score \(format(v.score))", plain: true,
                on: &screen)
        case .generationDone(let s):
            clearLive(&screen)
            screen.lines = screen.lines.filter { $0.key.generation > s.generation }
            var line = "gen \(pad(String(s.generation), String(s.generations).count))/\(s.generations)  "
            line += "children \(s.valid) valid / \(s.invalid) invalid  "
            line += "best \(format(s.best?.score))" + (s.best.map { " (\($0.id))" } ?? "") + "  "
            line += "mean \(format(s.meanScore))  "
            line += String(format: "cost $%.4f  ", s.cost)
            if s.tokens > 0 { line += "tokens \(s.tokens)  " }
            line += "evals \(s.evaluations)  " + String(format: "%.0fs", s.seconds)
            print(style(line, "1"), on: &screen)
        case .stopped(let outcome):
            clearLive(&screen)
            screen.lines.removeAll()
            _ = outcome
        }
    }

    // MARK: - Drawing

    private func update(_ line: Line, _ text: String, plain: Bool, on screen: inout Screen) {
        screen.lines[line] = text
        if live {
            redraw(&screen)
        } else if plain {
            write("  " + text + "\n")
        }
    }

    /// A plain line above the live block (which is redrawn below it).
    private func print(_ text: String, on screen: inout Screen) {
        clearLive(&screen)
        write(text + "\n")
        if live && !screen.lines.isEmpty { redraw(&screen) }
    }

    /// A note from outside the search (e.g. "Stopping…"), printed without breaking the live lines.
    public func note(_ text: String) {
        screen.withLock { print(text, on: &$0) }
    }

    private func redraw(_ screen: inout Screen) {
        var out = ""
        if screen.drawn > 0 { out += "\u{1B}[\(screen.drawn)A" }
        let ordered = screen.lines.sorted { $0.key < $1.key }.map(\.value)
        for text in ordered { out += "\r\u{1B}[2K  " + style(String(text.prefix(110)), "2") + "\n" }
        screen.drawn = ordered.count
        write(out)
    }

    private func clearLive(_ screen: inout Screen) {
        guard live, screen.drawn > 0 else { return }
        var out = "\u{1B}[\(screen.drawn)A"
        for _ in 0..<screen.drawn { out += "\r\u{1B}[2K\n" }
        out += "\u{1B}[\(screen.drawn)A"
        screen.drawn = 0
        write(out)
    }

    private func style(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func format(_ score: Double?) -> String { score.map { String(format: "%.3f", $0) } ?? "–" }
    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
