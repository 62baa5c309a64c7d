/** The spend ledger port: one row per request, spend reports, and the runtime key store. */
package dev.tollgate.core.ledger;
