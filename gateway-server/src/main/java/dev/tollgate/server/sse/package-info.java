/** Server-sent events framing over Netty buffers. */
package dev.tollgate.server.sse;
