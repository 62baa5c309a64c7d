/**
 * Stores with I/O behind the core ports: the JDBC spend ledger and runtime key store (SQLite, PostgreSQL), the
 * Redis counter store that every replica shares, and the Redis second level of the response cache.
 */
package dev.tollgate.server.store;
