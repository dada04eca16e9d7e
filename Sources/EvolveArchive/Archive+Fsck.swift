import EvolveSupport
import Foundation

extension Archive {
    /// Checks every object of `repo.git` as `git fsck` would, and every variant's tree as a checkout
    /// would: problems go into `report`.
    ///
    /// Each object is read as stored: a commit must parse and name a tree and parents that exist; a tree
    /// must parse, its entries be sorted, unique, with names git accepts and valid modes, and name objects
    /// that exist with the right kind; every ref under `refs/` must point at an object, and every
    /// `refs/variants/*` at a commit. Then each variant's whole tree is checked for what would make its
    /// checkout unsafe (`treeProblems(_:)`), naming the variant and the path. Such variants are reported,
    /// never deleted (not even by `--repair`): the archive is append-only and the report is evidence.
    func checkObjects(into report: inout DoctorReport) throws {
        let inspector = TreeInspector(store: git)
        var objectProblems: [String] = []
        func add(_ text: String) { if objectProblems.count < 200 { objectProblems.append(text) } }
        let ids = try git.allObjectIDs().sorted { $0.hex < $1.hex }
        report.objects = ids.count
        for oid in ids {
            let id = oid.hex
            switch try git.objectKind(id) {
            case nil:
                add("object \(id) is listed but cannot be read")
            case .tree?:
                guard let object = try git.readObject(id) else { continue }
                for problem in try inspector.problems(ofObject: id, bytes: object.bytes) {
                    add("tree \(id.prefix(12)): \(problem)")
                }
            case .commit?:
                do {
                    let links = try git.commitLinks(oid)
                    if try git.objectKind(links.tree.hex) != .tree {
                        add("commit \(id.prefix(12)): its tree \(links.tree.hex.prefix(12)) is missing or not a tree")
                    }
                    for parent in links.parents where try git.objectKind(parent.hex) != .commit {
                        add("commit \(id.prefix(12)): its parent \(parent.hex.prefix(12)) is missing or not a commit")
                    }
                } catch let error as EvolveError {
                    add("commit \(id.prefix(12)) does not parse: \(error.message)")
                }
            case .blob?, .tag?:
                break
            case .unknown?:
                add("object \(id.prefix(12)) has an unknown type")
            }
        }
        report.problems += objectProblems
        for ref in try git.references(matching: "refs/*") {
            let kind = try git.objectKind(ref.target.hex)
            if kind == nil {
                report.problems.append("\(ref.name) points at \(ref.target.hex.prefix(12)), which is missing")
            } else if ref.name.hasPrefix("refs/variants/"), kind != .commit {
                report.problems.append("\(ref.name) points at a \(kind!.rawValue), not a commit")
            }
        }
        try checkVariantTrees(inspector: inspector, into: &report)
    }

    /// Names every variant whose tree is unsafe to check out, with the first offending paths.
    private func checkVariantTrees(inspector: TreeInspector, into report: inout DoctorReport) throws {
        for ref in try git.references(matching: "refs/variants/*").sorted(by: { $0.name < $1.name }) {
            guard try git.objectKind(ref.target.hex) == .commit,
                let tree = try? git.commitLinks(ref.target).tree
            else { continue }
            let problems = try inspector.problems(ofTree: tree.hex)
            guard !problems.isEmpty else { continue }
            let variant = String(ref.name.dropFirst("refs/variants/".count))
            let shown = problems.prefix(3).map(\.description).joined(separator: "; ")
            let more = problems.count > 3 ? " (and \(problems.count - 3) more)" : ""
            report.problems.append("\(variant): unsafe tree \(tree.hex.prefix(12)): \(shown)\(more)")
            report.unsafeVariants.append(variant)
        }
    }
}
