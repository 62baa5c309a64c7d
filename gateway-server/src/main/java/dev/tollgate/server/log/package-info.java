/** Structured JSON logs, written off the event loops. */
package dev.tollgate.server.log;
