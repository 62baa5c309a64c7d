/** Rate limits and budgets: the specs, and the store port that checks and reserves them atomically. */
package dev.tollgate.core.quota;
