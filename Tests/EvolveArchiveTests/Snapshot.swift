import EvolveSupport
import Foundation

/// Every file under a folder: relative path → (bytes, mode bits, link target).
func snapshot(_ root: String) throws -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        let full = root + "/" + relative
        var st = stat()
        lstat(full, &st)
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            result[relative] = "link:" + (try FileManager.default.destinationOfSymbolicLink(atPath: full))
        case S_IFREG:
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            result[relative] =
                String(format: "%o:", st.st_mode & 0o111 != 0 ? 0o755 : 0o644) + data.base64EncodedString()
        default: break
        }
    }
    return result
}
