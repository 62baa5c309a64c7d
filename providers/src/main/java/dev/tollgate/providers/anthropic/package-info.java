/** Anthropic Messages API: the client dialect, the upstream adapter and the passthrough envelope. */
package dev.tollgate.providers.anthropic;
