package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ledger's connection pool and its reader threads. Thread-safe. {@link #connection()} blocks (the writer
 * thread calls it); {@link #onReaders} never blocks its caller: the work runs on two threads of this database's
 * own, so a slow report never holds an event loop or the writer.
 */
final class LedgerDatabase implements AutoCloseable {
    private static final int READERS = 2;

    private final LedgerTarget target;
    private final HikariDataSource pool;
    private final ExecutorService readers;

    private LedgerDatabase(LedgerTarget target, HikariDataSource pool) {
        this.target = target;
        this.pool = pool;
        AtomicInteger count = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(READERS, task -> Thread.ofPlatform().daemon()
                .name("tollgate-ledger-reader-" + count.incrementAndGet()).unstarted(task));
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** A table's batched insert of rows, on one connection. */
    @FunctionalInterface
    interface BatchInsert<T> {
        void insert(Connection connection, List<T> rows) throws SQLException;
    }

    /**
     * Connects and brings the schema up to date. Blocks for at most about {@code connectTimeout} when the
     * database does not answer.
     *
     * @throws IllegalStateException when the database cannot be reached or migrated; the message names the
     *     target by host and database only
     */
    static LedgerDatabase open(LedgerTarget target, Duration connectTimeout) {
        requireNonNull(target, "target");
        if (target instanceof LedgerTarget.Sqlite sqlite) {
            createParent(sqlite.file());
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("tollgate-ledger");
        config.setJdbcUrl(target.jdbcUrl());
        target.driverProperties().forEach(config::addDataSourceProperty);
        config.setMaximumPoolSize(target.dialect().poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectTimeout.toMillis());
        config.setValidationTimeout(Math.min(connectTimeout.toMillis(), 5_000));
        // Fail at startup, with our own message, when the database is not there at all.
        config.setInitializationFailTimeout(connectTimeout.toMillis());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to the ledger database " + target, e);
        }
        try (Connection connection = pool.getConnection()) {
            LedgerSchema.migrate(connection, target.dialect());
        } catch (SQLException e) {
            pool.close();
            throw new IllegalStateException("cannot prepare the ledger database " + target + ": " + e.getMessage(), e);
        }
        return new LedgerDatabase(target, pool);
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the ledger directory " + parent, e);
        }
    }

    SqlDialect dialect() {
        return target.dialect();
    }

    /** A pooled connection in auto-commit mode; blocks up to the connect timeout when the database is down. */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * Inserts {@code rows} with {@code table} on the caller's thread, a writer's own: it blocks as
     * {@link #connection()} does. An empty batch takes no connection.
     */
    <T> void insertNow(List<T> rows, BatchInsert<T> table) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (Connection connection = pool.getConnection()) {
            table.insert(connection, rows);
        }
    }

    /** Runs {@code work} on a reader thread with a connection of its own. */
    <T> CompletionStage<T> onReaders(SqlWork<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try (Connection connection = pool.getConnection()) {
                    result.complete(work.run(connection));
                } catch (SQLException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(new IllegalStateException("the ledger is closed", rejected));
        }
        return result;
    }

    @Override
    public String toString() {
        return target.toString();
    }

    /** Waits briefly for running reads, then closes every connection. */
    @Override
    public void close() {
        readers.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
