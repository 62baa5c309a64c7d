/** Admission against limits and budgets, pricing, settlement, budget alerts and the rebuild of counters. */
package dev.tollgate.server.spend;
