package dev.tollgate.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The ledger contract on the machine's real PostgreSQL, in a random schema dropped afterwards. */
class PostgresLedgerTest extends LedgerContractTest {
    private static TestPostgres postgres;

    @BeforeAll
    static void connect() throws Exception {
        postgres = new TestPostgres();
    }

    @AfterAll
    static void dropSchema() throws Exception {
        postgres.close();
    }

    @Override
    String target() {
        return postgres.target(TestPostgres.PORT);
    }

    @Override
    void emptyDatabase() throws Exception {
        postgres.reset();
    }

    @Override
    String indexDefinition(Statement statement, String index) throws Exception {
        try (PreparedStatement select = statement.getConnection().prepareStatement(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?")) {
            select.setString(1, index);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
