import EvolveArchive
import EvolveSupport
import EvolveTestSupport
import Foundation
import Testing

@testable import EvolveMutation

/// An archive whose seed is a few small files, for applying edits to.
final class EditFixture {
    let scratch: Scratch
    let archive: Archive
    let seed: Variant
    let source: AgentSource

    static let clamp = """
        def clamp(x, lo, hi):
            if x < lo:
                return lo
            if x < hi:
                return hi
            return x

        """

    init(files: [String: String]? = nil, executable: Set<String> = []) throws {
        scratch = try Scratch(prefix: "evolve-edit-test")
        let files =
            files ?? [
                "agent.py": "import sys\nprint('agent')\n",
                "agent.yaml": "name: t\nrun: python3 agent.py\n",
                "funcs/clamp.py": Self.clamp,
                "funcs/max_of.py": "def max_of(numbers):\n    return min(numbers)\n",
            ]
        for (path, text) in files { try scratch.write("seed/" + path, text, executable: executable.contains(path)) }
        archive = try Archive.create(at: scratch.file("archive"), seed: scratch.file("seed"))
        seed = try archive.variant(VariantID(0))
        source = try AgentSource.load(seed, from: archive)
    }

    /// Applies an answer; returns the files of the new tree, or the failure's reason.
    func apply(_ answer: String, _ format: EditFormat, focus: String? = nil) throws -> Result<
        [String: String], EditFailure
    > {
        let applier = EditApplier(format: format, focusFile: focus)
        switch try applier.apply(answer, to: source, archive: archive) {
        case .failure(let failure): return .failure(failure)
        case .success(let edit): return .success(try filesOf(tree: edit.tree))
        }
    }

    /// The files of a tree, by recording it as a child and reading it back.
    func filesOf(tree: String) throws -> [String: String] {
        let child = try archive.record(
            parents: [seed.id], tree: tree, metadata: VariantMetadata(generation: 1, operator: "test", summary: "t"))
        return Dictionary(uniqueKeysWithValues: try archive.files(of: child.id).map { ($0.path, $0.contents) })
    }
}

extension Result {
    var failureReason: String? {
        if case .failure(let error) = self { return "\(error)" }
        return nil
    }

    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

@Suite("Edit formats")
struct EditFormatTests {
    let fixedClamp =
        "def clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x > hi:\n        return hi\n    return x\n"

    // MARK: - SEARCH/REPLACE

    @Test func searchReplaceBlockWithPathAndFence() throws {
        let f = try EditFixture()
        let answer = """
            The comparison is the wrong way round.

            funcs/clamp.py
            ```python
            <<<<<<< SEARCH
                if x < hi:
            =======
                if x > hi:
            >>>>>>> REPLACE
            ```
            """
        let files = try #require(try f.apply(answer, .searchReplace).value)
        #expect(files["funcs/clamp.py"] == fixedClamp)
        #expect(files["funcs/max_of.py"] == "def max_of(numbers):\n    return min(numbers)\n")
    }

    @Test func searchReplaceToleratesVariations() throws {
        let f = try EditFixture()
        // Bold path with a colon, short markers, lost indentation, two blocks for two files, the second
        // without a fence, trailing spaces.
        let answer = """
            **funcs/clamp.py**:
            ```
            <<<<<<<SEARCH
            if x < hi:
            ======
            if x > hi:
            >>>>>>>   REPLACE
            ```
            File: `max_of.py`
            <<<<<<< SEARCH
                return min(numbers)   
            =======
                return max(numbers)
            >>>>>>> REPLACE
            """
        let files = try #require(try f.apply(answer, .searchReplace).value)
        #expect(files["funcs/clamp.py"] == fixedClamp)
        #expect(files["funcs/max_of.py"] == "def max_of(numbers):\n    return max(numbers)\n")
    }

    @Test func searchReplaceBlocksApplyInOrderAndReusePath() throws {
        let f = try EditFixture()
        let answer = """
            funcs/clamp.py
            <<<<<<< SEARCH
                if x < hi:
            =======
                if x > hi:
            >>>>>>> REPLACE
            <<<<<<< SEARCH
                if x > hi:
                    return hi
            =======
                if x > hi:
                    return hi  # upper bound
            >>>>>>> REPLACE
            """
        let files = try #require(try f.apply(answer, .searchReplace).value)
        #expect(files["funcs/clamp.py"]?.contains("    if x > hi:\n        return hi  # upper bound\n") == true)
    }

    @Test func searchTextMissingNamesTheBlockAndFile() throws {
        let f = try EditFixture()
        let answer = """
            funcs/clamp.py
            <<<<<<< SEARCH
                if x < hi:
            =======
                if x > hi:
            >>>>>>> REPLACE

            funcs/clamp.py
            <<<<<<< SEARCH
                if x <= 0:
            =======
                if x >= 0:
            >>>>>>> REPLACE
            """
        #expect(
            try f.apply(answer, .searchReplace).failureReason == "the SEARCH text of block 2 is not in funcs/clamp.py")
    }

    @Test func searchReplaceOnUnknownFileIsInvalid() throws {
        let f = try EditFixture()
        let answer = "funcs/nope.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n"
        #expect(
            try f.apply(answer, .searchReplace).failureReason
                == "the answer names funcs/nope.py, which the parent does not have")
    }

    @Test func unclosedBlockAndMissingPath() throws {
        let f = try EditFixture()
        let unclosed = "funcs/clamp.py\n<<<<<<< SEARCH\n    if x < hi:\n=======\n    if x > hi:\n"
        #expect(try f.apply(unclosed, .searchReplace).failureReason?.contains("block 1 is not closed") == true)
        let noPath = "Fix:\n<<<<<<< SEARCH\n    if x < hi:\n=======\n    if x > hi:\n>>>>>>> REPLACE\n"
        #expect(try f.apply(noPath, .searchReplace).failureReason?.contains("block 1 names no file") == true)
        // The prompt asked for one file: a block without a path means it.
        #expect(try f.apply(noPath, .searchReplace, focus: "funcs/clamp.py").value?["funcs/clamp.py"] == fixedClamp)
    }

    @Test func executableBitSurvivesAnEdit() throws {
        let f = try EditFixture(files: ["run.sh": "#!/bin/sh\necho one\n", "b.txt": "b\n"], executable: ["run.sh"])
        let applier = EditApplier(format: .searchReplace)
        let answer = "run.sh\n<<<<<<< SEARCH\necho one\n=======\necho two\n>>>>>>> REPLACE\n"
        let edit = try #require(try applier.apply(answer, to: f.source, archive: f.archive).value)
        let child = try f.archive.record(
            parents: [f.seed.id], tree: edit.tree, metadata: VariantMetadata(generation: 1, operator: "t", summary: "t")
        )
        let out = try Files.makeTemporaryDirectory(prefix: "evolve-edit-x")
        defer { Files.removeTree(out) }
        try f.archive.checkout(child.id, into: out, force: true)
        #expect(FileManager.default.isExecutableFile(atPath: out + "/run.sh"))
        #expect(try String(contentsOfFile: out + "/run.sh", encoding: .utf8) == "#!/bin/sh\necho two\n")
    }

    // MARK: - Unified diff

    @Test func exactUnifiedDiffAppliesWithLibgit2() throws {
        let f = try EditFixture()
        let answer = """
            ```diff
            diff --git a/funcs/clamp.py b/funcs/clamp.py
            --- a/funcs/clamp.py
            +++ b/funcs/clamp.py
            @@ -1,6 +1,6 @@
             def clamp(x, lo, hi):
                 if x < lo:
                     return lo
            -    if x < hi:
            +    if x > hi:
                     return hi
                 return x
            ```
            """
        #expect(try f.apply(answer, .unifiedDiff).value?["funcs/clamp.py"] == fixedClamp)
    }

    @Test func sloppyUnifiedDiffAppliesLeniently() throws {
        let f = try EditFixture()
        // No a/ b/ prefixes, wrong line numbers and counts, a context line without its leading space.
        let answer = """
            --- funcs/clamp.py
            +++ funcs/clamp.py
            @@ -40,9 +40,2 @@
                     return lo
            -    if x < hi:
            +    if x > hi:

            --- funcs/max_of.py
            +++ funcs/max_of.py
            @@ @@
             def max_of(numbers):
            -    return min(numbers)
            +    return max(numbers)
            """
        let files = try #require(try f.apply(answer, .unifiedDiff).value)
        #expect(files["funcs/clamp.py"] == fixedClamp)
        #expect(files["funcs/max_of.py"] == "def max_of(numbers):\n    return max(numbers)\n")
    }

    @Test func unifiedDiffCanCreateAFile() throws {
        let f = try EditFixture()
        let answer = "--- /dev/null\n+++ b/funcs/new.py\n@@ -0,0 +1,2 @@\n+def new():\n+    return 1\n"
        #expect(try f.apply(answer, .unifiedDiff).value?["funcs/new.py"] == "def new():\n    return 1\n")
    }

    @Test func patchThatDoesNotApplyIsInvalid() throws {
        let f = try EditFixture()
        let answer = """
            --- a/funcs/clamp.py
            +++ b/funcs/clamp.py
            @@ -2,3 +2,3 @@
                 if y < lo:
            -        return 0
            +        return lo
            """
        #expect(
            try f.apply(answer, .unifiedDiff).failureReason
                == "hunk 1 of funcs/clamp.py does not apply: its context and removed lines are not in the file")
    }

    @Test func diffOnUnknownFileIsInvalid() throws {
        let f = try EditFixture()
        let answer = "--- a/funcs/nope.py\n+++ b/funcs/nope.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        #expect(
            try f.apply(answer, .unifiedDiff).failureReason
                == "the answer names funcs/nope.py, which the parent does not have")
    }

    // MARK: - Whole file

    @Test func wholeFileLabelledByLineAboveOrInfoString() throws {
        let f = try EditFixture()
        let answer = """
            Here is the corrected `funcs/clamp.py`:

            ```python
            \(fixedClamp)```

            ```python funcs/max_of.py
            def max_of(numbers):
                return max(numbers)
            ```
            """
        let files = try #require(try f.apply(answer, .wholeFile).value)
        #expect(files["funcs/clamp.py"] == fixedClamp)
        #expect(files["funcs/max_of.py"] == "def max_of(numbers):\n    return max(numbers)\n")
    }

    @Test func unlabelledBlockMeansTheFocusFileAndUsageExamplesAreIgnored() throws {
        let f = try EditFixture()
        let answer = """
            Sure! Here is the fixed function.

            ```python
            \(fixedClamp)```

            Example usage:

            ```python
            print(clamp(15, 0, 10))
            ```
            """
        let files = try #require(try f.apply(answer, .wholeFile, focus: "funcs/clamp.py").value)
        #expect(files["funcs/clamp.py"] == fixedClamp)
        // Without a focus file and with several files, the block names nothing.
        #expect(try f.apply(answer, .wholeFile).failureReason?.hasPrefix("code block 1 names no file") == true)
    }

    @Test func smallModelSloppinessInTheFocusFile() throws {
        let f = try EditFixture()
        // The closing fence glued to the last line of code.
        let glued = "```python\n" + fixedClamp.dropLast() + "```\n"
        #expect(try f.apply(glued, .wholeFile, focus: "funcs/clamp.py").value?["funcs/clamp.py"] == fixedClamp)
        // No fence at all: the code from the repeated `def` line up to the prose after it.
        let bare =
            "The bug is in the comparison. Here is the fix:\n\n" + fixedClamp
            + "\nThis returns hi when x is above hi.\n"
        #expect(try f.apply(bare, .wholeFile, focus: "funcs/clamp.py").value?["funcs/clamp.py"] == fixedClamp)
        // Without a focus file, bare code is not an edit.
        #expect(try f.apply(bare, .wholeFile).failureReason?.hasPrefix("no edit found in the answer") == true)
    }

    @Test func pathsIntoGitAreRefused() throws {
        let f = try EditFixture()
        let answer = ".git/hooks/pre-commit.sh\n```sh\necho owned\n```\n"
        #expect(
            try f.apply(answer, .wholeFile).failureReason
                == "the path .git/hooks/pre-commit.sh leaves the agent's folder")
    }

    @Test func singleFileParentTakesAnUnlabelledBlock() throws {
        let f = try EditFixture(files: ["main.py": "print(1)\n"])
        #expect(try f.apply("```\nprint(2)\n```", .wholeFile).value?["main.py"] == "print(2)\n")
    }

    @Test func wholeFileMayCreateFiles() throws {
        let f = try EditFixture()
        let answer = "funcs/helper.py\n```python\ndef helper():\n    return 2\n```\n"
        #expect(try f.apply(answer, .wholeFile).value?["funcs/helper.py"] == "def helper():\n    return 2\n")
    }

    @Test func wholeFileRefusesCutOffElidedAndEmptyBlocks() throws {
        let f = try EditFixture()
        let cut = "funcs/clamp.py\n```python\ndef clamp(x, lo, hi):\n    if x <"
        #expect(try f.apply(cut, .wholeFile).failureReason?.contains("is not closed") == true)
        let elided = "funcs/clamp.py\n```python\ndef clamp(x, lo, hi):\n    # ... rest of the code unchanged\n```\n"
        #expect(try f.apply(elided, .wholeFile).failureReason?.contains("leaves code out") == true)
        let empty = "funcs/clamp.py\n```python\n\n```\n"
        #expect(try f.apply(empty, .wholeFile).failureReason == "code block 1 for funcs/clamp.py is empty")
    }

    @Test func pathsThatLeaveTheAgentAreInvalid() throws {
        let f = try EditFixture()
        let answer = "```python ../escape.py\nx = 1\n```\n"
        let reason = try f.apply(answer, .wholeFile).failureReason
        #expect(reason != nil)
        let answer2 = "File: /etc/passwd.txt\n```\nroot\n```\n"
        // A leading slash is read as relative to the agent's root, never as the host's file.
        #expect(try f.apply(answer2, .wholeFile).value?["etc/passwd.txt"] == "root\n")
    }

    // MARK: - Bad answers, any format

    @Test(arguments: EditFormat.allCases)
    func garbageEmptyAndHugeAnswersAreInvalid(format: EditFormat) throws {
        let f = try EditFixture()
        let garbage = try f.apply("I am not sure what you mean. 🤖 <|endoftext|> \u{0} lorem ipsum", format)
        #expect(garbage.failureReason?.hasPrefix("no edit found in the answer") == true)
        #expect(try f.apply("", format).failureReason == "the answer is empty")
        #expect(try f.apply("  \n\n ", format).failureReason == "the answer is empty")
        let huge = String(repeating: "x", count: 1_048_576)
        #expect(try f.apply(huge, format).failureReason == "the answer is 1048576 bytes, over the 262144-byte cap")
    }

    @Test func anEditThatChangesNothingIsInvalid() throws {
        let f = try EditFixture()
        let answer = "funcs/clamp.py\n<<<<<<< SEARCH\n    return x\n=======\n    return x\n>>>>>>> REPLACE\n"
        #expect(try f.apply(answer, .searchReplace).failureReason?.hasPrefix("the edit changes nothing") == true)
    }

    @Test func anAnswerInAnotherFormatIsStillUnderstood() throws {
        let f = try EditFixture()
        let searchReplace = "funcs/clamp.py\n<<<<<<< SEARCH\n    if x < hi:\n=======\n    if x > hi:\n>>>>>>> REPLACE\n"
        #expect(try f.apply(searchReplace, .wholeFile).value?["funcs/clamp.py"] == fixedClamp)
        let diff = "--- a/funcs/clamp.py\n+++ b/funcs/clamp.py\n@@ -4 +4 @@\n-    if x < hi:\n+    if x > hi:\n"
        #expect(try f.apply(diff, .searchReplace).value?["funcs/clamp.py"] == fixedClamp)
    }

    @Test func configNames() {
        #expect(EditFormat(configName: "whole-file") == .wholeFile)
        #expect(EditFormat(configName: "search_replace") == .searchReplace)
        #expect(EditFormat(configName: "udiff") == .unifiedDiff)
        #expect(EditFormat(configName: "poem") == nil)
    }
}
