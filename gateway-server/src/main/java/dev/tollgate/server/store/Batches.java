package dev.tollgate.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Batched inserts of the ledger's tables: one statement, one transaction, all rows or none. */
final class Batches {

    /** Sets one row's parameters on the insert statement. */
    @FunctionalInterface
    interface Binder<T> {
        void bind(PreparedStatement insert, T row) throws SQLException;
    }

    private Batches() {}

    /**
     * Runs {@code sql} once a row in one transaction; when the database fails, rolls back and throws, leaving
     * {@code connection} in auto-commit mode either way.
     */
    static <T> void insert(Connection connection, String sql, List<T> rows, Binder<? super T> binder)
            throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement insert = connection.prepareStatement(sql)) {
            for (T row : rows) {
                binder.bind(insert, row);
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void rollbackQuietly(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is likely gone (that is often why the insert failed); the pool discards it.
            failure.addSuppressed(e);
        }
    }
}
