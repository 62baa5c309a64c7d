package dev.tollgate.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The machine's PostgreSQL ({@code 127.0.0.1:5432}, database {@code test}, user {@code postgres}, trust auth), with
 * a schema of its own for each test class so that concurrent runs never meet.
 */
final class TestPostgres implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final int PORT = 5432;
    private final String schema;
    private final Connection admin;

    TestPostgres() throws SQLException {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        this.schema = "tg_ledger_" + HexFormat.of().formatHex(random);
        this.admin = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/test", "postgres", "");
    }

    String schema() {
        return schema;
    }

    /** A ledger target for this schema, on {@code port} (5432, or a proxy in front of it). */
    String target(int port) {
        return "postgresql://" + HOST + ":" + port + "/test?user=postgres&currentSchema=" + schema;
    }

    /** Drops and re-creates the schema: an empty database. */
    void reset() throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        execute("CREATE SCHEMA " + schema);
    }

    void execute(String sql) throws SQLException {
        try (Statement statement = admin.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Rows in the schema's spend table and the sum of their cost, read without the ledger. */
    Totals spendTotals() throws SQLException {
        try (Statement statement = admin.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT COUNT(*), COALESCE(SUM(cost_nanos), 0) FROM " + schema + ".spend")) {
            rs.next();
            return new Totals(rs.getLong(1), rs.getLong(2));
        }
    }

    record Totals(long rows, long costNanos) {}

    @Override
    public void close() throws SQLException {
        try {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } finally {
            admin.close();
        }
    }
}
