package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A complete (non-streamed) answer: text and tool-call parts of the single choice, why it ended, and usage.
 *
 * @param created seconds since the epoch, as OpenAI reports it
 */
public record ChatResponse(String id, String model, long created, List<Part> output, FinishReason finishReason, Usage usage) {
    public ChatResponse {
        requireNonNull(id, "id");
        requireNonNull(model, "model");
        output = List.copyOf(output);
        requireNonNull(finishReason, "finishReason");
        requireNonNull(usage, "usage");
    }
}
