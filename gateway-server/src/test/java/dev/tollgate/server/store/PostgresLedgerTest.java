package dev.tollgate.server.store;

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
}
