/** Framing of streamed upstream bodies over Netty buffers: server-sent events and the AWS event stream. */
package dev.tollgate.server.sse;
