/** The upstream HTTP client: per-event-loop connection pools per origin, TLS, DNS, response delivery. */
package dev.tollgate.server.upstream;
