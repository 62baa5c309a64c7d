/** Wiring and lifecycle: {@code Main}, the gateway's listeners and event loops. */
package dev.tollgate.server;
