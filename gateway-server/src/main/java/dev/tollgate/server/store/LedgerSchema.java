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

    private static final List<List<String>> MIGRATIONS = List.of(VERSION_1);

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
