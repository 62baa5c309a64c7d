/** Micrometer implementation of the core metrics port, exported in the Prometheus format. */
package dev.tollgate.metrics;
