import Foundation

// MARK: - Objects as stored

/// The kind of a git object, read from the object database without trusting any parser's checks.
enum GitObjectKind: String, Sendable {
    case commit, tree, blob, tag, unknown
}

/// Reads objects exactly as stored (the repository, or a test double).
protocol GitObjectReading {
    /// The kind and bytes of an object; nil when the repository does not hold it.
    func readObject(_ id: String) throws -> (kind: GitObjectKind, bytes: [UInt8])?
    /// The kind of an object without reading its bytes; nil when the repository does not hold it.
    func objectKind(_ id: String) throws -> GitObjectKind?
}

// MARK: - Tree objects

/// One entry of a tree object as stored: its mode, its name (bytes, as git keeps them) and its object id.
struct RawTreeEntry: Sendable {
    var mode: UInt32
    var name: [UInt8]
    var id: String

    static let treeMode: UInt32 = 0o40000
    static let fileMode: UInt32 = 0o100644
    static let executableMode: UInt32 = 0o100755
    static let linkMode: UInt32 = 0o120000
    static let gitlinkMode: UInt32 = 0o160000

    var isTree: Bool { mode == Self.treeMode }
    var isLink: Bool { mode == Self.linkMode }
    var isFile: Bool { mode == Self.fileMode || mode == Self.executableMode }

    /// The name for messages: undecodable bytes replaced, control characters escaped.
    var displayName: String { DisplayText.escaped(String(decoding: name, as: UTF8.self)) }

    /// The key git sorts a tree by: the name, with a `/` after it for a folder.
    var sortKey: [UInt8] { isTree ? name + [0x2F] : name }
}

/// The parser for git's tree format: `<octal mode> <name>\0<20-byte id>`, repeated. It parses what
/// libgit2's parser would refuse too (an empty name), so that `doctor` and checkout can say what is wrong.
enum RawTree {
    /// The entries of a tree object, or a description of where its bytes stop making sense.
    static func parse(_ bytes: [UInt8]) -> Result<[RawTreeEntry], TreeFormatError> {
        var entries: [RawTreeEntry] = []
        var i = 0
        while i < bytes.count {
            var mode: UInt32 = 0
            let modeStart = i
            while i < bytes.count, bytes[i] != 0x20 {
                let c = bytes[i]
                guard (0x30...0x37).contains(c), i - modeStart < 7 else {
                    return .failure(TreeFormatError("a bad mode in entry \(entries.count + 1)"))
                }
                mode = mode * 8 + UInt32(c - 0x30)
                i += 1
            }
            guard i > modeStart, i < bytes.count else {
                return .failure(TreeFormatError("a truncated mode in entry \(entries.count + 1)"))
            }
            if bytes[modeStart] == 0x30 {
                return .failure(TreeFormatError("a zero-padded mode in entry \(entries.count + 1)"))
            }
            i += 1
            guard let nul = bytes[i...].firstIndex(of: 0) else {
                return .failure(TreeFormatError("a name without its end in entry \(entries.count + 1)"))
            }
            let name = Array(bytes[i..<nul])
            i = nul + 1
            guard i + 20 <= bytes.count else {
                return .failure(TreeFormatError("a truncated object id in entry \(entries.count + 1)"))
            }
            let id = hex(bytes[i..<(i + 20)])
            i += 20
            entries.append(RawTreeEntry(mode: mode, name: name, id: id))
        }
        return .success(entries)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of raw id bytes.
    static func hex(_ raw: ArraySlice<UInt8>) -> String {
        var chars = [UInt8]()
        chars.reserveCapacity(raw.count * 2)
        for byte in raw {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

/// Why a tree object's bytes do not parse.
struct TreeFormatError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
