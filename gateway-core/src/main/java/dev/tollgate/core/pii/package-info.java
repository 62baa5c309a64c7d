/** Finding and redacting personal data and secrets in text: typed findings with their spans, and placeholders. */
package dev.tollgate.core.pii;
