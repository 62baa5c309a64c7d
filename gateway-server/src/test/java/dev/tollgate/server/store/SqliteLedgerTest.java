package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.quality.RequestFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger contract on an embedded SQLite file, a new one for each test. */
class SqliteLedgerTest extends LedgerContractTest {
    @TempDir
    Path dataDir;

    @Override
    String target() {
        return "sqlite:" + dataDir.resolve("not/yet/there/tollgate.db");
    }

    @Override
    void emptyDatabase() {
        // @TempDir is new for each test.
    }

    @Override
    String indexDefinition(Statement statement, String index) throws Exception {
        try (PreparedStatement select = statement.getConnection().prepareStatement(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")) {
            select.setString(1, index);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * The partial spend indexes still serve the queries that filter on their column: a partial index is only
     * usable when the query implies its condition, and {@code column = ?} implies {@code column IS NOT NULL}.
     */
    @Test
    void queriesThatFilterOnAnIndexedColumnUseItsPartialIndex() throws Exception {
        open().close();
        try (Connection c = DriverManager.getConnection(target().replaceFirst("^sqlite:", "jdbc:sqlite:"));
                Statement s = c.createStatement()) {
            for (String key : List.of("key_name || '' = ?", "key_name IS NULL")) { // as findRequest fills it in
                assertThat(plan(s, FeedbackTable.FIND.formatted(key))).as(key)
                        .contains("sqlite_autoindex_spend_1 (request_id=?)", "spend_client_request (client_request_id=?)");
            }
            assertThat(plan(s, SpendTable.ARMS)).contains("spend_experiment");
            // The spend report's filters (SpendTable.report): a key, a team.
            assertThat(plan(s, "SELECT COUNT(*) FROM spend WHERE at_ms >= ? AND at_ms < ? AND key_name = ?"))
                    .contains("spend_key_at");
            assertThat(plan(s, "SELECT COUNT(*) FROM spend WHERE at_ms >= ? AND at_ms < ? AND team = ?"))
                    .contains("spend_team_at");
        }
    }

    private static String plan(Statement statement, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = statement.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                plan.append(rs.getString("detail")).append('\n');
            }
        }
        return plan.toString();
    }

    @Test
    void createsMissingDirectoriesAndWritesAheadOfTheDatabaseFile() {
        JdbcLedger ledger = open();
        ledger.record(SpendRows.row("one", T0, "k", "t", 1));
        ledger.flush();
        Path file = dataDir.resolve("not/yet/there/tollgate.db");
        assertThat(file).isRegularFile();
        // WAL mode keeps recent commits in a -wal file next to the database while it is open.
        assertThat(Files.exists(Path.of(file + "-wal"))).isTrue();
    }

    /** The spend table as schema version 1 (the first release) made it. */
    private static final String VERSION_1_SPEND = """
            CREATE TABLE spend (request_id TEXT PRIMARY KEY, at_ms BIGINT NOT NULL, day TEXT NOT NULL, key_name TEXT,
                team TEXT, user_name TEXT, route TEXT NOT NULL, model TEXT, deployment TEXT, provider TEXT,
                input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cached_input_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL, usage_reported INTEGER NOT NULL,
                cost_nanos BIGINT NOT NULL, cost_estimated INTEGER NOT NULL, outcome TEXT NOT NULL,
                status INTEGER NOT NULL, cache_hit INTEGER NOT NULL, stream INTEGER NOT NULL, latency_ms BIGINT NOT NULL)
            """;

    @Test
    void aVersionOneDatabaseIsMigratedAndItsRowsCanBeRated() throws Exception {
        Path file = dataDir.resolve("v1.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement()) {
            s.execute(VERSION_1_SPEND);
            s.execute("CREATE TABLE virtual_keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, team TEXT, "
                    + "created TEXT NOT NULL, expires TEXT, disabled INTEGER NOT NULL, spec TEXT NOT NULL)");
            s.execute("CREATE TABLE tollgate_schema (version INTEGER NOT NULL)");
            s.execute("INSERT INTO tollgate_schema (version) VALUES (1)");
            s.execute("INSERT INTO spend VALUES ('req-old', " + T0.toEpochMilli() + ", '2026-03-10', 'k1', 't1', "
                    + "null, 'chat', 'gpt-4o-mini', 'd', 'p', 1, 1, 0, 0, 0, 1, 10, 0, 'success', 200, 0, 0, 5)");
        }
        JdbcLedger ledger = JdbcLedger.open("sqlite:" + file, spillDir, 1 << 20, listener, LedgerTuning.DEFAULTS);
        try {
            RequestFacts old = await(ledger.quality().findRequest("req-old", "k1"));
            assertThat(old).isEqualTo(new RequestFacts("req-old", "req-old", T0, "k1", "t1", "gpt-4o-mini", null,
                    null, null));
            ledger.record(SpendRows.unusual("new-1", T0));
            ledger.flush();
            assertThat(await(ledger.quality().findRequest("client-odd", "k-odd")).tier()).isEqualTo("premium");
        } finally {
            ledger.close();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM tollgate_schema")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(LedgerSchema.CURRENT).isEqualTo(5);
        }
    }
}
