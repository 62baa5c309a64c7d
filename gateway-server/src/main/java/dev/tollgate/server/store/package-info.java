/** Counter stores shared by every replica: rate limits and budgets in Redis. */
package dev.tollgate.server.store;
