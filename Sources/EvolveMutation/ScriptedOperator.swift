import EvolveArchive
import EvolveSupport
import Foundation

/// `scripted`: replays edits from a file, for tests and demonstrations without a model.
///
/// The file is JSON: a list of edits, each `{"file": PATH, "content": TEXT}` (write the whole file),
/// `{"file": PATH, "search": TEXT, "replace": TEXT}` (replace the first occurrence), or
/// `{"file": PATH, "delete": true}`; optional `"summary"`. The child of generation g, slot s takes the
/// edit at index (g − 1) × children + s, modulo the list's length, so a resumed run replays the same edit.
/// A search text that is not in the parent's file makes an invalid child, as it would from a model.
public struct ScriptedOperator: MutationOperator {
    public struct Edit: Codable, Sendable {
        public var file: String
        public var content: String?
        public var search: String?
        public var replace: String?
        public var delete: Bool?
        public var summary: String?
    }

    public let name = OperatorKind.scripted.rawValue
    public let arity = 1
    public let edits: [Edit]
    public let childrenPerGeneration: Int

    public init(file: String, childrenPerGeneration: Int) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EvolveError(.config, "the scripted operator's edit file \(file) cannot be read")
        }
        do {
            edits = try JSONDecoder().decode([Edit].self, from: data)
        } catch {
            throw EvolveError(.config, "the edit file \(file) is not a JSON list of edits: \(error)")
        }
        guard !edits.isEmpty else { throw EvolveError(.config, "the edit file \(file) holds no edits") }
        self.childrenPerGeneration = max(1, childrenPerGeneration)
    }

    public func mutate(_ request: MutationRequest) async throws -> MutationResult {
        let index = (max(request.generation - 1, 0) * childrenPerGeneration + request.slot) % edits.count
        let edit = edits[index]
        let info = MutationInfo(summary: edit.summary ?? "scripted edit \(index) of \(edit.file)")
        let parent = request.parents[0]
        let change: FileChange
        if edit.delete == true {
            change = .delete
        } else if let content = edit.content {
            change = .write(content)
        } else if let search = edit.search, let replace = edit.replace {
            let files = try request.archive.files(of: parent.id)
            guard let current = files.first(where: { $0.path == edit.file })?.contents else {
                return .invalid(reason: "the edit names \(edit.file), which \(parent.id) does not have", info)
            }
            guard let range = current.range(of: search) else {
                return .invalid(reason: "the search text is not in \(edit.file)", info)
            }
            change = .write(current.replacingCharacters(in: range, with: replace))
        } else {
            return .invalid(reason: "edit \(index) has neither content, search/replace nor delete", info)
        }
        do {
            return .tree(try request.archive.writeTree(base: parent.tree, changes: [edit.file: change]), info)
        } catch let error as EvolveError where error.kind == .git || error.kind == .invalidInput {
            return .invalid(reason: error.message, info)
        }
    }
}
