/** Input-token counting before a request is sent: OpenAI's tokenizers where they apply, a high estimate elsewhere. */
package dev.tollgate.providers.tokens;
