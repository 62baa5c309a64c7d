/** OpenAI Chat Completions and Embeddings: the client dialect, the upstream adapter and the passthrough envelope. */
package dev.tollgate.providers.openai;
