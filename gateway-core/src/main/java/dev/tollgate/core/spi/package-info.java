/** Ports the edges implement: provider adapters, client dialects, stream codecs. */
package dev.tollgate.core.spi;
