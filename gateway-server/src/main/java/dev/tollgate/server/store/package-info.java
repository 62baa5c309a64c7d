/**
 * Stores with I/O behind the core ports: the JDBC spend ledger and runtime key store (SQLite, PostgreSQL), and the
 * Redis counter store that every replica shares.
 */
package dev.tollgate.server.store;
