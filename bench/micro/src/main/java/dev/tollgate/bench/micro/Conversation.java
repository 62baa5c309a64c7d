package dev.tollgate.bench.micro;

import java.nio.charset.StandardCharsets;

/**
 * A long chat history as a client sends it: a system prompt, alternating user and assistant turns of prose (with
 * the escaped line breaks and quotes real answers carry), and a last user question, built to exactly
 * {@link #LARGE_BYTES} bytes of JSON. {@code model} and the sampling fields come after {@code messages}.
 */
final class Conversation {
    static final int LARGE_BYTES = 64 * 1024;

    private static final String SYSTEM = "You are the support assistant of a travel company. Answer from the "
            + "booking details in the conversation, and say so when they do not tell.";
    /** Sentences the turns are cut from; in JSON already (escapes included), all ASCII. */
    private static final String[] SENTENCES = {
        "My flight from Lisbon to Berlin on the 14th was moved to a later departure.",
        "The booking reference is QX7R2L and it covers two adults and one child.",
        "Can I change the return leg to the 21st without paying the fare difference?",
        "According to your booking, the return leg can be changed once free of charge.",
        "The fare difference applies only when the new flight is in a higher fare class.\\n\\n",
        "Your hotel in Mitte confirmed a late check-in after 23:00 for the first night.",
        "The rental car is booked at the airport desk and includes \\\"full to full\\\" fuel.",
        "If the later departure makes you miss the car pick-up, the desk holds it two hours.",
        "Please also check whether the child seat I asked for is still on the reservation.",
        "Yes: one child seat (group 2/3) is listed on the rental, at no extra cost.\\n\\n",
        "Travel insurance covers delays over four hours, with a claim form after the trip.",
        "I would like the confirmation sent to the second e-mail address on the account.",
    };
    private static final int SENTENCES_PER_TURN = 9;
    private static final String FILLER = "please summarise the booking changes above in a short list ";

    private Conversation() {}

    static byte[] openAi(String model) {
        return build("{\"messages\":[{\"role\":\"system\",\"content\":\"" + SYSTEM + "\"},",
                "],\"model\":\"" + model + "\",\"temperature\":0.2,\"max_tokens\":256,\"stream\":false}");
    }

    static byte[] anthropic(String model) {
        return build("{\"system\":\"" + SYSTEM + "\",\"messages\":[",
                "],\"model\":\"" + model + "\",\"max_tokens\":256,\"temperature\":0.2}");
    }

    /**
     * {@code open}, then user/assistant pairs while a last user turn still fits, then that last turn padded so the
     * whole is exactly {@link #LARGE_BYTES} (ASCII: a char is a byte), then {@code close}.
     */
    private static byte[] build(String open, String close) {
        var out = new StringBuilder(LARGE_BYTES).append(open);
        String lastOpen = "{\"role\":\"user\",\"content\":\"";
        String lastClose = "\"}";
        int minLast = 1 + lastOpen.length() + FILLER.length() + lastClose.length() + close.length();
        for (int turn = 0; ; turn += 2) {
            String pair = message("user", turn) + "," + message("assistant", turn + 1) + ",";
            if (out.length() + pair.length() + minLast > LARGE_BYTES) {
                break;
            }
            out.append(pair);
        }
        int fill = LARGE_BYTES - out.length() - lastOpen.length() - lastClose.length() - close.length();
        out.append(lastOpen).append(FILLER.repeat(fill / FILLER.length() + 1), 0, fill).append(lastClose)
                .append(close);
        byte[] body = out.toString().getBytes(StandardCharsets.US_ASCII);
        if (body.length != LARGE_BYTES) {
            throw new IllegalStateException("built " + body.length + " bytes, not " + LARGE_BYTES);
        }
        return body;
    }

    private static String message(String role, int turn) {
        var text = new StringBuilder();
        for (int i = 0; i < SENTENCES_PER_TURN; i++) {
            text.append(SENTENCES[(turn * 5 + i) % SENTENCES.length]).append(' ');
        }
        return "{\"role\":\"" + role + "\",\"content\":\"" + text.toString().strip() + "\"}";
    }
}
