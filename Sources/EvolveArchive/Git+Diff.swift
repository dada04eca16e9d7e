import CGit2
import EvolveSupport
import Foundation

// MARK: - Diffs, patches and merges

extension GitRepository {
    /// The unified diff between two trees (nil `old` means the empty tree), as git prints it.
    func diff(from old: GitOID?, to new: GitOID) throws -> String {
        let oldTree = try old.map { try lookupTree($0) }
        defer { if let oldTree { git_tree_free(oldTree) } }
        let newTree = try lookupTree(new)
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try gitCheck(git_diff_tree_to_tree(&diff, handle, oldTree, newTree, nil), "comparing two trees")
        defer { git_diff_free(diff) }
        var buffer = git_buf()
        try gitCheck(git_diff_to_buf(&buffer, diff, GIT_DIFF_FORMAT_PATCH), "printing a diff")
        defer { git_buf_dispose(&buffer) }
        guard let ptr = buffer.ptr else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: ptr, count: buffer.size), as: UTF8.self)
    }

    /// Applies a unified diff to a tree with libgit2 and writes the resulting tree.
    func apply(patch: String, to tree: GitOID) throws -> GitOID {
        var diff: OpaquePointer?
        let bytes = Array(patch.utf8)
        let rc = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { git_diff_from_buffer(&diff, $0.baseAddress, $0.count) }
        }
        try gitCheck(rc, "reading the patch")
        defer { git_diff_free(diff) }
        let preimage = try lookupTree(tree)
        defer { git_tree_free(preimage) }
        var index: OpaquePointer?
        try gitCheck(git_apply_to_tree(&index, handle, preimage, diff, nil), "applying the patch")
        defer { git_index_free(index) }
        var out = git_oid()
        try gitCheck(git_index_write_tree_to(&out, index, handle), "writing the patched tree")
        return GitOID(out)
    }

    /// Merges two commits (three-way, from their merge base). Returns the tree, or the conflicting
    /// paths when the merge does not resolve by itself.
    func merge(_ ours: GitOID, _ theirs: GitOID) throws -> Result<GitOID, MergeConflict> {
        let a = try lookupCommit(ours)
        defer { git_commit_free(a) }
        let b = try lookupCommit(theirs)
        defer { git_commit_free(b) }
        var index: OpaquePointer?
        try gitCheck(git_merge_commits(&index, handle, a, b, nil), "merging \(ours.hex) and \(theirs.hex)")
        defer { git_index_free(index) }
        if git_index_has_conflicts(index) != 0 {
            var paths: [String] = []
            var iterator: OpaquePointer?
            if git_index_conflict_iterator_new(&iterator, index) == 0 {
                defer { git_index_conflict_iterator_free(iterator) }
                var ancestor: UnsafePointer<git_index_entry>?
                var our: UnsafePointer<git_index_entry>?
                var their: UnsafePointer<git_index_entry>?
                while git_index_conflict_next(&ancestor, &our, &their, iterator) == 0 {
                    if let entry = our ?? their ?? ancestor { paths.append(String(cString: entry.pointee.path)) }
                }
            }
            return .failure(MergeConflict(paths: paths))
        }
        var out = git_oid()
        try gitCheck(git_index_write_tree_to(&out, index, handle), "writing the merged tree")
        return .success(GitOID(out))
    }

    /// A new tree: `base` with some files replaced, added or removed (paths with `/` reach into folders).
    func updateTree(_ base: GitOID, changes: [String: FileChange]) throws -> GitOID {
        var index: OpaquePointer?
        try gitCheck(git_index_new(&index), "making an in-memory index")
        defer { git_index_free(index) }
        let tree = try lookupTree(base)
        defer { git_tree_free(tree) }
        try gitCheck(git_index_read_tree(index, tree), "reading the tree \(base.hex)")
        for (path, change) in changes.sorted(by: { $0.key < $1.key }) {
            let clean = path.split(separator: "/").filter { !$0.isEmpty && $0 != "." }
            guard !clean.isEmpty, !clean.contains(".."), !clean.contains(".git") else {
                throw EvolveError(.invalidInput, "the path \(DisplayText.escaped(path)) leaves the agent's folder")
            }
            for component in clean {
                if let problem = GitPathRules.problem(name: Array(component.utf8), isLink: false) {
                    throw EvolveError(.invalidInput, "the path \(DisplayText.escaped(path)) holds \(problem)")
                }
            }
            let normalized = clean.joined(separator: "/")
            switch change {
            case .delete:
                let rc = git_index_remove_bypath(index, normalized)
                try gitCheck(rc, "removing \(normalized)")
            case .write(let contents, let executable):
                var entry = git_index_entry()
                entry.mode = UInt32(executable ? GIT_FILEMODE_BLOB_EXECUTABLE.rawValue : GIT_FILEMODE_BLOB.rawValue)
                entry.id = try writeBlob(Array(contents.utf8)).raw
                try normalized.withCString { cPath in
                    entry.path = cPath
                    try gitCheck(git_index_add(index, &entry), "adding \(normalized) to the tree")
                }
            }
        }
        var out = git_oid()
        try gitCheck(git_index_write_tree_to(&out, index, handle), "writing the changed tree")
        return GitOID(out)
    }

    /// Whether a path exists in a tree.
    func treeContains(_ tree: GitOID, path: String) throws -> Bool {
        let object = try lookupTree(tree)
        defer { git_tree_free(object) }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, object, path)
        if rc == GIT_ENOTFOUND.rawValue { return false }
        try gitCheck(rc, "looking up \(path)")
        git_tree_entry_free(entry)
        return true
    }

    /// The paths whose content or mode differ between two trees (added, removed or changed).
    func changedPaths(from old: GitOID, to new: GitOID) throws -> [String] {
        let a = try lookupTree(old)
        defer { git_tree_free(a) }
        let b = try lookupTree(new)
        defer { git_tree_free(b) }
        var diff: OpaquePointer?
        try gitCheck(git_diff_tree_to_tree(&diff, handle, a, b, nil), "comparing two trees")
        defer { git_diff_free(diff) }
        var paths: [String] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i) else { continue }
            if let path = delta.pointee.new_file.path { paths.append(String(cString: path)) }
            if let path = delta.pointee.old_file.path, !paths.contains(String(cString: path)) {
                paths.append(String(cString: path))
            }
        }
        return paths
    }

    /// The bytes of the file at `path` in a tree, or nil when there is none.
    func fileContents(tree: GitOID, path: String) throws -> [UInt8]? {
        let object = try lookupTree(tree)
        defer { git_tree_free(object) }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, object, path)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try gitCheck(rc, "looking up \(path)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return try blobBytes(GitOID(git_tree_entry_id(entry).pointee))
    }

    /// Repacks loose refs into packed-refs so that listing and lookups stay fast at scale.
    func packReferences() throws {
        var refdb: OpaquePointer?
        try gitCheck(git_repository_refdb(&refdb, handle), "opening the ref database")
        defer { git_refdb_free(refdb) }
        try gitCheck(git_refdb_compress(refdb), "packing refs")
    }
}

/// One change to one file of a tree.
public enum FileChange: Sendable, Equatable {
    /// Write the file (create or replace) with this text.
    case write(String, executable: Bool = false)
    /// Remove the file.
    case delete
}

/// The paths that a three-way merge could not reconcile.
public struct MergeConflict: Error, Sendable, CustomStringConvertible {
    public var paths: [String]
    public var description: String { "the merge conflicts in \(paths.joined(separator: ", "))" }
}
