/** Google AI Gemini API ({@code generateContent}, {@code streamGenerateContent}, {@code batchEmbedContents}): the upstream adapter. */
package dev.tollgate.providers.gemini;
