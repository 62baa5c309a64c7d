/** Stores with I/O behind the core ports: the JDBC spend ledger and runtime key store (SQLite, PostgreSQL). */
package dev.tollgate.server.store;
