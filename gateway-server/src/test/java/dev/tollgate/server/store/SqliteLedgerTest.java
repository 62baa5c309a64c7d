package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
}
