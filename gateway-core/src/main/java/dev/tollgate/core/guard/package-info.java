/** Guardrails: named checks (PII, prompt injection, deny lists, topic allow lists) on requests and answers. */
package dev.tollgate.core.guard;
