import Foundation

/// The names git itself refuses in a tree (git's `fsck_tree` and `verify_path`), as plain byte rules.
///
/// A tree entry is one path component. Git refuses an empty name, `.` and `..`, a name holding `/`,
/// and every spelling of `.git` that some file system would turn into the `.git` folder: any case
/// (`.GIT`), trailing dots and spaces (`.git.`, `.git `), an NTFS alternate stream (`.git::$INDEX_ALLOCATION`),
/// the NTFS short name `git~1`, and HFS+'s ignored code points (`.g\u{200C}it`). It also refuses
/// `.gitmodules` as a symbolic link.
enum GitPathRules {
    /// Why git would refuse `name` as a tree entry with `mode`; nil when it is an acceptable name.
    static func problem(name: [UInt8], isLink: Bool) -> String? {
        if name.isEmpty { return "an empty name" }
        if name == [0x2E] { return "the name \".\"" }
        if name == [0x2E, 0x2E] { return "the name \"..\"" }
        if name.contains(0x2F) { return "a name holding \"/\"" }
        if name.contains(0) { return "a name holding a NUL byte" }
        if isNTFSDotGit(name) || isHFSDotGeneric(name, "git") {
            return "a spelling of \".git\" (git refuses it: a checkout would plant a repository)"
        }
        if isLink
            && (isNTFSDotGeneric(name, "gitmodules", shortPrefix: "gi7eba") || isHFSDotGeneric(name, "gitmodules"))
        {
            return "\".gitmodules\" as a symbolic link"
        }
        return nil
    }

    // MARK: - NTFS

    /// git's `is_ntfs_dotgit`: `.git` or `git~1` in any case, then only dots and spaces up to the end, a
    /// path separator or a `:` (an alternate data stream).
    static func isNTFSDotGit(_ name: [UInt8]) -> Bool {
        let lower = name.map(asciiLower)
        var i: Int
        if lower.starts(with: Array(".git".utf8)) {
            i = 4
        } else if lower.starts(with: Array("git~1".utf8)) {
            i = 5
        } else {
            return false
        }
        while i < lower.count {
            let c = lower[i]
            if c == 0x2F || c == 0x5C || c == 0x3A { return true }  // / \ :
            if c != 0x2E && c != 0x20 { return false }
            i += 1
        }
        return true
    }

    /// git's `is_ntfs_dot_generic`: `.<needle>` with trailing dots and spaces, its 6-character short name
    /// `<needle[0..<6]>~1`…`~4`, or the hashed fall-back short name (`gi7eba~N` for `.gitmodules`).
    static func isNTFSDotGeneric(_ name: [UInt8], _ needle: String, shortPrefix: String) -> Bool {
        let lower = name.map(asciiLower)
        let needleBytes = Array(needle.utf8)
        func onlySpacesAndPeriods(from start: Int) -> Bool {
            var i = start
            while i < lower.count {
                let c = lower[i]
                if c == 0x3A { return true }
                if c != 0x20 && c != 0x2E { return false }
                i += 1
            }
            return true
        }
        if lower.first == 0x2E, lower.dropFirst().starts(with: needleBytes) {
            return onlySpacesAndPeriods(from: needleBytes.count + 1)
        }
        if lower.count >= 8, lower.starts(with: needleBytes.prefix(6)), lower[6] == 0x7E,
            (0x31...0x34).contains(lower[7])
        {
            return onlySpacesAndPeriods(from: 8)
        }
        let prefix = Array(shortPrefix.utf8)
        var sawTilde = false
        var i = 0
        while i < 8 {
            guard i < lower.count else { return false }
            let c = lower[i]
            if sawTilde {
                if !(0x30...0x39).contains(c) { return false }
            } else if c == 0x7E {
                i += 1
                guard i < lower.count, (0x31...0x39).contains(lower[i]) else { return false }
                sawTilde = true
            } else if i >= 6 || c & 0x80 != 0 || c != prefix[i] {
                return false
            }
            i += 1
        }
        return onlySpacesAndPeriods(from: 8)
    }

    // MARK: - HFS+

    /// git's `is_hfs_dot_generic`: `.<needle>` once the code points HFS+ ignores are dropped and ASCII
    /// letters are folded to lower case. Undecodable UTF-8 never matches (as in git).
    static func isHFSDotGeneric(_ name: [UInt8], _ needle: String) -> Bool {
        var scalars: [UInt32] = []
        var decoder = UTF8()
        var iterator = name.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if !hfsIgnored(scalar.value) { scalars.append(scalar.value) }
            case .emptyInput: break loop
            case .error: return false
            }
        }
        let expected = [UInt32(0x2E)] + needle.utf8.map(UInt32.init)
        guard scalars.count == expected.count else { return false }
        for (c, e) in zip(scalars, expected) {
            guard c < 128, UInt32(asciiLower(UInt8(c))) == e else { return false }
        }
        return true
    }

    /// The code points HFS+ drops when it compares names.
    static func hfsIgnored(_ value: UInt32) -> Bool {
        switch value {
        case 0x200C...0x200F, 0x202A...0x202E, 0x206A...0x206F, 0xFEFF: return true
        default: return false
        }
    }

    static func asciiLower(_ c: UInt8) -> UInt8 { (0x41...0x5A).contains(c) ? c + 0x20 : c }
}
