/**
 * Per-deployment health for routing: circuit breakers and bulkheads, latency, requests in flight, 429 cooldowns,
 * the providers' own rate-limit headers, and the load self-hosted servers report.
 */
package dev.tollgate.server.health;
