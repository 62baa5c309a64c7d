/** The per-request state machine: one {@code ChatExchange} from admission to the last byte and the summary. */
package dev.tollgate.server.exchange;
