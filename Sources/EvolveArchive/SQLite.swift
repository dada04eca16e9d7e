import CSQLite
import EvolveSupport
import Foundation

/// A value bound to, or read from, an SQLite statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// A protocol for Swift values that can be bound as statement parameters.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .double(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

// MARK: - Database

/// One SQLite connection. Not thread-safe by itself: `Archive` serialises access with a lock.
///
/// Owns its `sqlite3` handle and closes it in `deinit` (STYLE rule 5). Every return code goes through
/// `check(_:_:)`, which keeps SQLite's own words and what was being done (rule 6).
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, create: Bool) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw EvolveError(.sqlite, "cannot open the index \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Throws an `EvolveError` that says what failed, in SQLite's words, and what we were doing.
    func check(_ rc: Int32, _ doing: @autoclosure () -> String) throws {
        guard rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW else { return }
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = rc & 0xFF
        if primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB {
            throw EvolveError(
                .corrupt, "the index \(path) is damaged (\(message)) while \(doing())",
                hint: "the git repository beside it is the source of truth: `evolve doctor --rebuild-index` rebuilds it"
            )
        }
        throw EvolveError(.sqlite, "SQLite error \(rc) (\(message)) while \(doing()) in \(path)")
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if let error { sqlite3_free(error) }
        try check(rc, "running \(sql.prefix(60))")
    }

    /// A cached prepared statement, reset and with parameters bound.
    private func prepared(_ sql: String, _ arguments: [SQLValue]) throws -> OpaquePointer {
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        } else {
            var made: OpaquePointer?
            try check(sqlite3_prepare_v2(handle, sql, -1, &made, nil), "preparing \(sql.prefix(60))")
            guard let made else { throw EvolveError(.sqlite, "empty statement: \(sql)") }
            statements[sql] = made
            statement = made
        }
        for (i, value) in arguments.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .double(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v): rc = sqlite3_bind_text(statement, index, v, -1, evolve_sqlite_transient())
            case .blob(let v):
                rc = v.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), evolve_sqlite_transient())
                }
            }
            try check(rc, "binding parameter \(index) of \(sql.prefix(60))")
        }
        return statement
    }

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    func run(_ sql: String, _ arguments: SQLBindable...) throws -> Int {
        let statement = try prepared(sql, arguments.map(\.sqlValue))
        defer { sqlite3_reset(statement) }
        try check(sqlite3_step(statement), "running \(sql.prefix(60))")
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and hands each row to `body`.
    func query(_ sql: String, _ arguments: [SQLBindable] = [], _ body: (SQLiteRow) throws -> Void) throws {
        let statement = try prepared(sql, arguments.map(\.sqlValue))
        defer { sqlite3_reset(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                try check(rc, "reading rows of \(sql.prefix(60))")
                break
            }
            try body(SQLiteRow(statement: statement))
        }
    }

    /// The rows of a query, mapped.
    func rows<T>(_ sql: String, _ arguments: [SQLBindable] = [], _ map: (SQLiteRow) throws -> T) throws -> [T] {
        var result: [T] = []
        try query(sql, arguments) { result.append(try map($0)) }
        return result
    }

    /// The first row of a query, mapped; nil when there is none.
    func first<T>(_ sql: String, _ arguments: [SQLBindable] = [], _ map: (SQLiteRow) throws -> T) throws -> T? {
        var result: T?
        let statement = try prepared(sql, arguments.map(\.sqlValue))
        defer { sqlite3_reset(statement) }
        let rc = sqlite3_step(statement)
        if rc == SQLITE_ROW {
            result = try map(SQLiteRow(statement: statement))
        } else if rc != SQLITE_DONE {
            try check(rc, "reading \(sql.prefix(60))")
        }
        return result
    }

    /// Runs `body` in one transaction: all of it is written, or none of it.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
}

// MARK: - Rows

/// A view of the current row of a statement; valid only inside the callback that receives it.
struct SQLiteRow {
    let statement: OpaquePointer

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: text)
    }

    func optionalString(_ column: Int32) -> String? { isNull(column) ? nil : string(column) }

    /// The UTF-8 bytes of a text column, without making a string (valid only inside `body`).
    func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let text = sqlite3_column_text(statement, column) else {
            return body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))))
    }
}
