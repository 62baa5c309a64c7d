/** Distributed tracing: W3C trace context, spans with OpenTelemetry GenAI attributes, and the port they leave by. */
package dev.tollgate.core.observe.trace;
