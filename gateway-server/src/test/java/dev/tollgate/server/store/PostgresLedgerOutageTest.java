package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendRows.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.ledger.SpendRow;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger through a database outage: PostgreSQL behind a {@link TcpProxy} that the test cuts and restores.
 * Retries are fast here (100 ms doubling to 400 ms) so that the class stays well under half a minute.
 */
@Timeout(30)
class PostgresLedgerOutageTest {
    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    private static final LedgerTuning FAST = new LedgerTuning(10_000, 50, Duration.ofMillis(100),
            Duration.ofMillis(400), Duration.ofMillis(300));
    private static TestPostgres postgres;

    @TempDir
    Path spillDir;

    private TcpProxy proxy;
    private final CountingListener listener = new CountingListener();
    private final List<JdbcLedger> opened = new ArrayList<>();

    @BeforeAll
    static void connect() throws Exception {
        postgres = new TestPostgres();
    }

    @AfterAll
    static void dropSchema() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void emptyDatabaseBehindAProxy() throws Exception {
        postgres.reset();
        proxy = new TcpProxy(new InetSocketAddress(TestPostgres.HOST, TestPostgres.PORT));
    }

    @AfterEach
    void closeEverything() throws Exception {
        opened.forEach(JdbcLedger::close);
        proxy.close();
    }

    private JdbcLedger open(long spillMaxBytes, CountingListener counts) {
        JdbcLedger ledger = JdbcLedger.open(postgres.target(proxy.port()), spillDir, spillMaxBytes, counts, FAST);
        opened.add(ledger);
        return ledger;
    }

    /** Read straight from PostgreSQL, not through the proxy nor the ledger. */
    private static TestPostgres.Totals totals() {
        try {
            return postgres.spendTotals();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void anOutageUnderLoadEndsWithEveryChargeCountedOnce() throws Exception {
        JdbcLedger ledger = open(1 << 20, listener);
        Map<String, Long> charges = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            // every tenth request is recorded twice, as a retried settlement would
            String id = "req-" + (i % 10 == 9 ? i - 1 : i);
            SpendRow row = row(id, T0.plusMillis(i), "k" + (i % 7), "t", 1_000 + i);
            charges.putIfAbsent(id, row.cost().nanos());
            ledger.record(row);
            if (i == 150) {
                proxy.cut();
            }
            if (i == 450) {
                proxy.restore();
            }
            Thread.sleep(i % 20 == 0 ? 10 : 0);
        }
        ledger.flush();
        assertThat(listener.spilled.get()).as("rows spilled during the outage").isPositive();
        assertThat(listener.downs.get()).isPositive();

        eventually(() -> totals().rows() == charges.size());
        assertThat(totals()).isEqualTo(new TestPostgres.Totals(charges.size(),
                charges.values().stream().mapToLong(Long::longValue).sum()));
        eventually(() -> !listener.down.get());
        assertThat(listener.lost.get()).isZero();
        // The writer tells of a replayed chunk after its transaction commits: the rows can be counted first.
        eventually(() -> listener.replayed.get() >= listener.spilled.get());
    }

    @Test
    void rowsSpilledByOneRunAreReplayedByTheNext() throws Exception {
        JdbcLedger first = open(1 << 20, listener);
        proxy.cut();
        for (int i = 0; i < 120; i++) {
            first.record(row("spilled-" + i, T0, "k", "t", 10));
        }
        first.close(); // the database is unreachable: close leaves everything in the spill file
        assertThat(listener.spilled.get()).isEqualTo(120);
        assertThat(totals().rows()).isZero();

        proxy.restore();
        CountingListener second = new CountingListener();
        // No waiting: catchUp returns once the backlog is in the database, as startup needs before its rebuild.
        open(1 << 20, second).catchUp();
        assertThat(totals().rows()).isEqualTo(120);
        assertThat(totals().costNanos()).isEqualTo(1_200);
        assertThat(second.replayed.get()).isEqualTo(120);
        assertThat(spillDir.resolve(SpillFile.NAME)).isEmptyFile();
    }

    @Test
    void rowsBeyondATinySpillCapAreCountedAsLost() throws Exception {
        int lineBytes = SpillCodec.encode(row("tiny-00", T0, "k", "t", 1)).length() + 1;
        JdbcLedger ledger = open(lineBytes * 3L, listener);
        proxy.cut();
        for (int i = 0; i < 20; i++) {
            ledger.record(row("tiny-%02d".formatted(i), T0, "k", "t", 1));
        }
        ledger.flush();
        assertThat(listener.spilled.get()).isEqualTo(3);
        assertThat(listener.lost.get()).isEqualTo(17);

        proxy.restore();
        eventually(() -> totals().rows() == 3);
    }

    @Test
    void aRowTheDatabaseRefusesIsDroppedAloneWithoutStallingTheOthers() throws Exception {
        JdbcLedger ledger = open(1 << 20, listener);
        // A rule the gateway does not know about, standing in for any row the database will never take.
        postgres.execute("ALTER TABLE " + postgres.schema() + ".spend ADD CONSTRAINT no_teapots CHECK (status <> 418)");
        for (int i = 0; i < 10; i++) {
            SpendRow row = row("r" + i, T0, "k", "t", 5);
            ledger.record(i != 4 ? row : new SpendRow(row.requestId(), row.at(), row.key(), row.team(), row.user(),
                    row.route(), row.model(), row.deployment(), row.provider(), row.usage(), row.cost(), false,
                    row.outcome(), 418, false, false, 1, null, null, null, null));
        }
        ledger.flush();
        assertThat(totals().rows()).isEqualTo(9);
        assertThat(listener.lost.get()).isEqualTo(1);
        assertThat(listener.spilled.get()).isZero();
        assertThat(listener.down.get()).isFalse();
    }
}
