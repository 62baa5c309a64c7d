package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * A chat request in canonical form, whatever dialect the client spoke.
 *
 * @param model the public model name the client asked for
 * @param toolChoice null when the client did not say
 * @param responseFormat null when the client did not say
 * @param includeUsage whether the client asked for usage in the stream (OpenAI's {@code stream_options})
 * @param user the end user the client named, or null
 * @param extensions fields this model has no slot for, by name, as the client sent them
 * @param dialect the client dialect that produced this request ({@code ClientDialect.id()}): extensions are in its
 *     vocabulary, so an adapter for another API knows they are foreign and applies its documented rule to them
 */
public record ChatRequest(
        String model,
        List<Message> messages,
        Sampling sampling,
        List<Tool> tools,
        ToolChoice toolChoice,
        ResponseFormat responseFormat,
        boolean stream,
        boolean includeUsage,
        String user,
        Map<String, RawJson> extensions,
        String dialect) {

    public ChatRequest {
        requireNonNull(model, "model");
        messages = List.copyOf(messages);
        requireNonNull(sampling, "sampling");
        tools = List.copyOf(tools);
        extensions = Map.copyOf(extensions);
        requireNonNull(dialect, "dialect");
    }

    /** This request with {@code sampling} in place of its own. */
    public ChatRequest withSampling(Sampling sampling) {
        return new ChatRequest(model, messages, sampling, tools, toolChoice, responseFormat, stream, includeUsage, user,
                extensions, dialect);
    }

        /** The text of the last user message, or "" when there is none. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).text();
            }
        }
        return "";
    }
}
