/** Span export: OTLP over HTTP with the JSON encoding, batched on a thread of its own. */
package dev.tollgate.server.trace;
