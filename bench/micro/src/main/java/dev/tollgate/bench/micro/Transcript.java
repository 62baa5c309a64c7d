package dev.tollgate.bench.micro;

import java.util.ArrayList;
import java.util.List;

/**
 * A streamed answer as each upstream sends it, one server-sent event per element: {@link #DELTAS} text deltas of one
 * word each (the size of bench/run.sh's SSE scenario), framed by the events the API puts around them, usage
 * included (the gateway always asks OpenAI for it).
 */
final class Transcript {
    static final int DELTAS = 64;

    private static final String[] WORDS = ("The capital of France is Paris, on the Seine in the north of the "
            + "country. About 2.1 million people live in the city itself and roughly 12 million in the metropolitan "
            + "area, which makes it one of Europe's largest. It is 18 °C there today; the Louvre, Notre-Dame and "
            + "the Eiffel Tower are within a short metro ride of each other, and the trains to London take about "
            + "two hours and twenty minutes.").split(" ");
    private static final String OPENAI_CHUNK = "{\"id\":\"chatcmpl-BmK3aT9vQe2LxW7nYc4rP1sZo8Dk5\","
            + "\"object\":\"chat.completion.chunk\",\"created\":1750687311,\"model\":\"gpt-4o-mini-2024-07-18\","
            + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_34a54ae93c\",\"choices\":";

    private Transcript() {}

    /** The text deltas in order: word {@code i} with the space before it, as tokenizers cut text. */
    static List<String> deltas() {
        List<String> deltas = new ArrayList<>(DELTAS);
        for (int i = 0; i < DELTAS; i++) {
            String word = WORDS[i % WORDS.length];
            deltas.add(i == 0 ? word : " " + word);
        }
        return deltas;
    }

    /** The text the deltas add up to. */
    static String text() {
        return String.join("", deltas());
    }

    /**
     * Chat Completions chunks with {@code stream_options.include_usage}: the role, the deltas, the finish reason,
     * a last chunk with no choices and the usage, then {@code [DONE]}.
     */
    static List<String> openAi() {
        List<String> events = new ArrayList<>();
        events.add(openAiChunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null"));
        for (String delta : deltas()) {
            events.add(openAiChunk("{\"content\":\"" + delta + "\"}", "null"));
        }
        events.add(openAiChunk("{}", "\"stop\""));
        events.add("data: " + OPENAI_CHUNK + "[],\"usage\":{\"prompt_tokens\":38,\"completion_tokens\":" + DELTAS
                + ",\"total_tokens\":" + (38 + DELTAS) + ",\"prompt_tokens_details\":{\"cached_tokens\":0,"
                + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        events.add("data: [DONE]\n\n");
        return events;
    }

    private static String openAiChunk(String delta, String finishReason) {
        return "data: " + OPENAI_CHUNK + "[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,"
                + "\"finish_reason\":" + finishReason + "}],\"usage\":null}\n\n";
    }

    /**
     * Messages API events: {@code message_start} (input usage), a text block's start, a ping, the deltas, the block's
     * stop, {@code message_delta} (stop reason, output usage) and {@code message_stop}.
     */
    static List<String> anthropic() {
        List<String> events = new ArrayList<>();
        events.add(anthropicEvent("message_start", "{\"type\":\"message_start\",\"message\":{"
                + "\"id\":\"msg_01Hq7XbVt2nJcP4kRw9sLm3E\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":34,\"cache_creation_input_tokens\":0,"
                + "\"cache_read_input_tokens\":0,\"output_tokens\":1,\"service_tier\":\"standard\"}}}"));
        events.add(anthropicEvent("content_block_start",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        events.add(anthropicEvent("ping", "{\"type\": \"ping\"}"));
        for (String delta : deltas()) {
            events.add(anthropicEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + delta + "\"}}"));
        }
        events.add(anthropicEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        events.add(anthropicEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + DELTAS + "}}"));
        events.add(anthropicEvent("message_stop", "{\"type\":\"message_stop\"}"));
        return events;
    }

    private static String anthropicEvent(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }
}
