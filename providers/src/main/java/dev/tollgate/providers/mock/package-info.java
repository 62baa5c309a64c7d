/** The built-in mock provider's pure engine: deterministic answers, streams, embeddings and injected faults. */
package dev.tollgate.providers.mock;
