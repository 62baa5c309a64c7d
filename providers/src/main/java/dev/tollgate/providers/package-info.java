/** The explicit registry of upstream adapters and client dialects the gateway wires at startup. */
package dev.tollgate.providers;
