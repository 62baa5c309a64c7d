package dev.tollgate.core.model;

import static java.util.Objects.requireNonNull;

/**
 * The vocabulary every upstream stream decodes into and every client stream encodes from.
 * Content-bearing events ({@link #isContent()}) are the ones that commit a response to the client.
 */
public sealed interface StreamEvent {

    /** The response began: its id and the model the provider says answered. Not content. */
    record Start(String id, String model, long created) implements StreamEvent {}

    /** A piece of the text of choice {@code index}. */
    record TextDelta(int index, String text) implements StreamEvent {
        public TextDelta { requireNonNull(text, "text"); }
    }

    /**
     * A piece of tool call {@code index}: the first piece carries {@code id} and {@code name}, later pieces carry
     * only a fragment of the JSON arguments (null fields are absent in that piece).
     */
    record ToolCallDelta(int index, String id, String name, String argumentsFragment) implements StreamEvent {}

    /** Usage as the provider reported it so far (the last one wins). Not content. */
    record UsageUpdate(Usage usage) implements StreamEvent {
        public UsageUpdate { requireNonNull(usage, "usage"); }
    }

    /** The choice ended. */
    record Finish(FinishReason reason) implements StreamEvent {
        public Finish { requireNonNull(reason, "reason"); }
    }

    /** The provider reported an error inside the stream. */
    record Failure(GatewayError error) implements StreamEvent {
        public Failure { requireNonNull(error, "error"); }
    }

    /** Whether this event carries part of the answer, so that relaying it commits the response. */
    default boolean isContent() {
        return switch (this) {
            case TextDelta t -> true;
            case ToolCallDelta t -> true;
            case Finish f -> true;
            case Start s -> false;
            case UsageUpdate u -> false;
            case Failure f -> false;
        };
    }
}
