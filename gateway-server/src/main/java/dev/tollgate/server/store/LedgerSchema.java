package dev.tollgate.server.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The ledger's tables, created and migrated at startup. {@code tollgate_schema} holds the version the database is
 * at; each entry of {@link #MIGRATIONS} moves it one version up and is never edited once released (a later change
 * is a new entry), so a database made by any earlier Tollgate reaches the current shape.
 */
final class LedgerSchema {
    /** Version 1: the spend rows and the runtime keys. */
    private static final List<String> VERSION_1 = List.of(
            """
            CREATE TABLE IF NOT EXISTS spend (
                request_id TEXT PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                day TEXT NOT NULL,
                key_name TEXT,
                team TEXT,
                user_name TEXT,
                route TEXT NOT NULL,
                model TEXT,
                deployment TEXT,
                provider TEXT,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cached_input_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL,
                usage_reported INTEGER NOT NULL,
                cost_nanos BIGINT NOT NULL,
                cost_estimated INTEGER NOT NULL,
                outcome TEXT NOT NULL,
                status INTEGER NOT NULL,
                cache_hit INTEGER NOT NULL,
                stream INTEGER NOT NULL,
                latency_ms BIGINT NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS spend_at ON spend (at_ms)",
            "CREATE INDEX IF NOT EXISTS spend_key_at ON spend (key_name, at_ms)",
            "CREATE INDEX IF NOT EXISTS spend_team_at ON spend (team, at_ms)",
            """
            CREATE TABLE IF NOT EXISTS virtual_keys (
                name TEXT PRIMARY KEY,
                hash TEXT NOT NULL UNIQUE,
                team TEXT,
                created TEXT NOT NULL,
                expires TEXT,
                disabled INTEGER NOT NULL,
                spec TEXT NOT NULL
            )""");

    /**
     * Version 2: what feedback and review sampling need. Spend rows gain the id the client was given (when it chose
     * its own) and the tier and split variant, so feedback on a row can be checked and attributed; feedback (one row
     * per request, the latest wins) and review samples get tables of their own, keyed like spend rows.
     */
    private static final List<String> VERSION_2 = List.of(
            "ALTER TABLE spend ADD COLUMN client_request_id TEXT",
            "ALTER TABLE spend ADD COLUMN tier TEXT",
            "ALTER TABLE spend ADD COLUMN variant TEXT",
            "CREATE INDEX IF NOT EXISTS spend_client_request ON spend (client_request_id)",
            """
            CREATE TABLE IF NOT EXISTS feedback (
                request_id TEXT PRIMARY KEY,
                client_request_id TEXT NOT NULL,
                request_at_ms BIGINT NOT NULL,
                at_ms BIGINT NOT NULL,
                key_name TEXT,
                team TEXT,
                model TEXT NOT NULL,
                tier TEXT,
                variant TEXT,
                score TEXT NOT NULL,
                score_value DOUBLE PRECISION NOT NULL,
                comment TEXT
            )""",
            "CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at_ms)",
            "CREATE INDEX IF NOT EXISTS feedback_model_at ON feedback (model, at_ms)",
            """
            CREATE TABLE IF NOT EXISTS review_samples (
                request_id TEXT PRIMARY KEY,
                client_request_id TEXT NOT NULL,
                at_ms BIGINT NOT NULL,
                key_name TEXT,
                team TEXT,
                model TEXT NOT NULL,
                deployment TEXT,
                tier TEXT,
                variant TEXT,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cost_nanos BIGINT NOT NULL,
                latency_ms BIGINT NOT NULL,
                stream INTEGER NOT NULL,
                prompt TEXT NOT NULL,
                prompt_truncated INTEGER NOT NULL,
                prompt_redactions INTEGER NOT NULL,
                answer TEXT NOT NULL,
                answer_truncated INTEGER NOT NULL,
                answer_redactions INTEGER NOT NULL
            )""",
            "CREATE INDEX IF NOT EXISTS review_at ON review_samples (at_ms)",
            "CREATE INDEX IF NOT EXISTS review_model_at ON review_samples (model, at_ms)",
            "CREATE INDEX IF NOT EXISTS review_key_at ON review_samples (key_name, at_ms)");

    /**
     * Version 3: the prompt registry. Spend rows gain the prompt a request rendered (id, version, the label it was
     * reached through) and the experiment arm that assigned it, so experiments are compared from the rows.
     */
    private static final List<String> VERSION_3 = List.of(
            "ALTER TABLE spend ADD COLUMN prompt_id TEXT",
            "ALTER TABLE spend ADD COLUMN prompt_version INTEGER",
            "ALTER TABLE spend ADD COLUMN prompt_label TEXT",
            "ALTER TABLE spend ADD COLUMN experiment TEXT",
            "ALTER TABLE spend ADD COLUMN experiment_arm TEXT",
            "CREATE INDEX IF NOT EXISTS spend_experiment ON spend (experiment, experiment_arm)",
            "CREATE INDEX IF NOT EXISTS spend_prompt ON spend (prompt_id, prompt_version)");

    /**
     * Version 4: online evaluation. One row per evaluator's verdict on a request (or on a bias probe pair), with the
     * request's facts flattened beside it as review samples keep them, so listings filter without a join. Rows are
     * not unique by request: an evaluator scores a bias probe again on every run. The score is null for a verdict
     * that produced none (an unparseable judgement, a failed call); cost is in nano-dollars like spend rows'.
     */
    private static final List<String> VERSION_4 = List.of(
            """
            CREATE TABLE IF NOT EXISTS evaluation (
                request_id TEXT NOT NULL,
                spend_id TEXT NOT NULL,
                request_at_ms BIGINT NOT NULL,
                key_name TEXT,
                team TEXT,
                model TEXT NOT NULL,
                tier TEXT,
                variant TEXT,
                prompt_id TEXT,
                prompt_version INTEGER,
                prompt_label TEXT,
                experiment TEXT,
                experiment_arm TEXT,
                at_ms BIGINT NOT NULL,
                evaluator TEXT NOT NULL,
                kind TEXT NOT NULL,
                rubric TEXT NOT NULL,
                outcome TEXT NOT NULL,
                score DOUBLE PRECISION,
                flagged INTEGER NOT NULL,
                rationale TEXT,
                prompt TEXT,
                answer TEXT,
                cost_nanos BIGINT NOT NULL,
                detail TEXT
            )""",
            "CREATE INDEX IF NOT EXISTS evaluation_at ON evaluation (at_ms)",
            "CREATE INDEX IF NOT EXISTS evaluation_evaluator_at ON evaluation (evaluator, at_ms)",
            "CREATE INDEX IF NOT EXISTS evaluation_model_at ON evaluation (model, at_ms)");

    /**
     * Version 5: the spend table's secondary indexes hold only the rows that have the indexed value. Most rows carry
     * no client request id, prompt or experiment (and keyless traffic no key or team), yet each index is a B-tree
     * insert on the ledger writer for every row: with six of them the writer was a fifth of the gateway's CPU at
     * full load (bench/README.md, "What each optimisation bought"). Every query that reads them compares the
     * column with {@code =}, which implies {@code IS NOT NULL}, so SQLite and PostgreSQL still use them. The
     * prompt index goes: no query reads spend rows by prompt.
     */
    private static final List<String> VERSION_5 = List.of(
            "DROP INDEX IF EXISTS spend_key_at",
            "CREATE INDEX spend_key_at ON spend (key_name, at_ms) WHERE key_name IS NOT NULL",
            "DROP INDEX IF EXISTS spend_team_at",
            "CREATE INDEX spend_team_at ON spend (team, at_ms) WHERE team IS NOT NULL",
            "DROP INDEX IF EXISTS spend_client_request",
            "CREATE INDEX spend_client_request ON spend (client_request_id) WHERE client_request_id IS NOT NULL",
            "DROP INDEX IF EXISTS spend_experiment",
            "CREATE INDEX spend_experiment ON spend (experiment, experiment_arm) WHERE experiment IS NOT NULL",
            "DROP INDEX IF EXISTS spend_prompt");

    private static final List<List<String>> MIGRATIONS =
            List.of(VERSION_1, VERSION_2, VERSION_3, VERSION_4, VERSION_5);

    /** The version this code reads and writes. */
    static final int CURRENT = MIGRATIONS.size();

    private LedgerSchema() {}

    /**
     * Brings the database to {@link #CURRENT} in one transaction.
     *
     * @throws SQLException when the database fails, or was made by a newer Tollgate than this one
     */
    static void migrate(Connection connection, SqlDialect dialect) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            if (dialect.migrationLock() != null) {
                statement.execute(dialect.migrationLock());
            }
            statement.execute("CREATE TABLE IF NOT EXISTS tollgate_schema (version INTEGER NOT NULL)");
            int version = version(statement);
            if (version > CURRENT) {
                throw new SQLException("the ledger database is at schema version " + version
                        + ", newer than this Tollgate understands (" + CURRENT + ")");
            }
            for (int next = version; next < CURRENT; next++) {
                for (String sql : MIGRATIONS.get(next)) {
                    statement.execute(sql);
                }
            }
            if (version == 0) {
                statement.execute("INSERT INTO tollgate_schema (version) VALUES (" + CURRENT + ")");
            } else if (version < CURRENT) {
                statement.execute("UPDATE tollgate_schema SET version = " + CURRENT);
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static int version(Statement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT MAX(version) FROM tollgate_schema")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
