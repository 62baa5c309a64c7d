/** Azure OpenAI (deployment URLs with {@code api-version}): the OpenAI adapter, re-aimed. */
package dev.tollgate.providers.azure;
