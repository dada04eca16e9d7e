import EvolveSupport

/// The index's tables. Append-only by design: rows are added, and only a variant's status, score and
/// cost are updated after it is recorded.
enum Schema {
    static let statements = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE variants (
            num          INTEGER PRIMARY KEY,
            commit_id    TEXT NOT NULL UNIQUE,
            tree_id      TEXT NOT NULL,
            generation   INTEGER NOT NULL,
            operator     TEXT NOT NULL,
            run_id       TEXT,
            status       TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'pending')),
            reason       TEXT,
            score        REAL,
            summary      TEXT NOT NULL,
            model        TEXT,
            cost_usd     REAL NOT NULL DEFAULT 0,
            created_at   REAL NOT NULL,
            ref_written  INTEGER NOT NULL DEFAULT 0,
            slot         INTEGER,
            details      TEXT
        );
        CREATE INDEX variants_run ON variants (run_id, generation, slot);
        CREATE INDEX variants_tree ON variants (tree_id);
        CREATE INDEX variants_unwritten ON variants (ref_written) WHERE ref_written = 0;
        CREATE TABLE variant_parents (
            child    INTEGER NOT NULL REFERENCES variants (num),
            parent   INTEGER NOT NULL REFERENCES variants (num),
            position INTEGER NOT NULL,
            PRIMARY KEY (child, position)
        );
        CREATE INDEX variant_parents_parent ON variant_parents (parent);
        CREATE TABLE evaluations (
            tree_id     TEXT NOT NULL,
            suite       TEXT NOT NULL,
            task        TEXT NOT NULL,
            attempt     INTEGER NOT NULL,
            status      TEXT NOT NULL,
            duration_s  REAL NOT NULL,
            log_blob    TEXT NOT NULL,
            detail      TEXT,
            run_id      TEXT,
            created_at  REAL NOT NULL,
            verdicts     TEXT,
            tests_passed INTEGER,
            tests_total  INTEGER,
            PRIMARY KEY (tree_id, suite, task, attempt)
        );
        CREATE TABLE runs (
            id          TEXT PRIMARY KEY,
            started_at  REAL NOT NULL,
            updated_at  REAL NOT NULL,
            state       TEXT NOT NULL,
            config      TEXT NOT NULL,
            progress    TEXT
        );
        CREATE TABLE plans (
            run_id      TEXT NOT NULL,
            generation  INTEGER NOT NULL,
            slot        INTEGER NOT NULL,
            parents     TEXT NOT NULL,
            operator    TEXT NOT NULL,
            PRIMARY KEY (run_id, generation, slot)
        );
        CREATE TABLE llm_calls (
            id             INTEGER PRIMARY KEY,
            run_id         TEXT,
            variant        INTEGER,
            task_key       TEXT,
            purpose        TEXT NOT NULL,
            model          TEXT NOT NULL,
            request_hash   TEXT NOT NULL,
            tokens_in      INTEGER NOT NULL,
            tokens_out     INTEGER NOT NULL,
            latency_s      REAL NOT NULL,
            cost_usd       REAL NOT NULL,
            transcript_blob TEXT NOT NULL,
            created_at     REAL NOT NULL
        );
        CREATE INDEX llm_calls_hash ON llm_calls (request_hash);
        CREATE INDEX llm_calls_run ON llm_calls (run_id);
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            run_id      TEXT,
            kind        TEXT NOT NULL,
            message     TEXT NOT NULL,
            created_at  REAL NOT NULL
        );
        """

    static func create(_ db: SQLiteDatabase) throws {
        try db.execute(statements)
        try db.run(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?), ('format', 'evolve-archive')",
            String(Archive.schemaVersion))
    }

    /// Checks that the file is an evolve index this version can read; reports a damaged or foreign file.
    static func verify(_ db: SQLiteDatabase, path: String) throws {
        let format: String?
        do {
            format = try db.first("SELECT value FROM meta WHERE key = 'format'") { $0.string(0) }
        } catch let error as EvolveError where error.kind == .sqlite {
            throw EvolveError(
                .corrupt, "\(path) is not a readable evolve index (\(error.message))",
                hint: "`evolve doctor --rebuild-index` rebuilds it from repo.git (scores are then re-evaluated)")
        }
        guard format == "evolve-archive" else {
            throw EvolveError(.notAnArchive, "\(path) is an SQLite file but not an evolve index")
        }
        let version = try db.first("SELECT value FROM meta WHERE key = 'schema_version'") { Int($0.string(0)) } ?? nil
        guard let version, version <= Archive.schemaVersion else {
            throw EvolveError(
                .notAnArchive, "\(path) was written by a newer evolve (schema \(version ?? -1))",
                hint: "update evolve")
        }
        try db.execute("PRAGMA synchronous = NORMAL")
        if version < 2 { try migrateToVersion2(db) }
    }

    /// Schema 2 adds per-test verdicts to `evaluations` (`verdicts` JSON, `tests_passed`, `tests_total`);
    /// rows recorded before keep NULL there and read back without verdicts.
    static func migrateToVersion2(_ db: SQLiteDatabase) throws {
        try db.execute("BEGIN IMMEDIATE")
        do {
            let columns = try db.rows("PRAGMA table_info(evaluations)") { $0.string(1) }
            if !columns.contains("verdicts") {
                try db.execute(
                    """
                    ALTER TABLE evaluations ADD COLUMN verdicts TEXT;
                    ALTER TABLE evaluations ADD COLUMN tests_passed INTEGER;
                    ALTER TABLE evaluations ADD COLUMN tests_total INTEGER;
                    """)
            }
            try db.run("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
