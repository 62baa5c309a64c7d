package dev.tollgate.server.store;

import java.sql.SQLException;

/**
 * What really differs between the ledger's two databases. Everything else (tables, inserts, reports) is one SQL
 * text for both: {@code BIGINT}, {@code INTEGER} and {@code TEXT} columns, flags as 0/1 and
 * {@code INSERT ... ON CONFLICT DO NOTHING} mean the same in SQLite and PostgreSQL.
 */
enum SqlDialect {
    SQLITE {
        @Override
        int poolSize() {
            // One writer at a time is all SQLite allows; WAL lets the two readers run beside it.
            return 3;
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            // SQLITE_CONSTRAINT is primary result code 19; extended codes keep it in their low byte.
            return (e.getErrorCode() & 0xff) == 19;
        }

        @Override
        boolean isDataError(SQLException e) {
            // SQLite stores any value in any column: a row cannot be refused for its content.
            return false;
        }

        @Override
        String migrationLock() {
            return null;
        }
    },

    POSTGRESQL {
        @Override
        int poolSize() {
            return 4;
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        boolean isDataError(SQLException e) {
            // Class 22 (data exception) and 23 (integrity) come from a row's content, never from an outage.
            String state = e.getSQLState();
            return state != null && (state.startsWith("22") || state.startsWith("23"));
        }

        @Override
        String migrationLock() {
            // Replicas starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic in
            // PostgreSQL); a transaction-scoped advisory lock makes them migrate one after the other.
            // Any fixed number does, as long as every replica uses the same one.
            return "SELECT pg_advisory_xact_lock(7106101119)";
        }
    };

    /** Connections in the pool: the writer's, the readers', and one to spare. */
    abstract int poolSize();

    /** True when an insert failed on a unique constraint (a key's name or hash taken). */
    abstract boolean isUniqueViolation(SQLException e);

    /** True when the database refused a statement for its values: retrying the same rows cannot help. */
    abstract boolean isDataError(SQLException e);

    /** A statement run first in the migration transaction to keep concurrent migrations apart, or null. */
    abstract String migrationLock();
}
