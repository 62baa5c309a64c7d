package dev.tollgate.providers.openai;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level facts about OpenAI stream chunks the passthrough relay needs. The gateway always asks the upstream for
 * usage; OpenAI then ends every chunk with {@code ,"usage":null} and sends a final usage chunk. Cutting that suffix
 * (and dropping the usage chunk, which the adapter's decoder reports as a lone usage update) gives a client that did
 * not ask exactly the bytes OpenAI would have sent it. Stateless.
 */
public final class OpenAiChunks {

    /** What OpenAI appends to each chunk in include_usage mode, just before the chunk's closing brace. */
    public static final byte[] NULL_USAGE = ",\"usage\":null".getBytes(StandardCharsets.US_ASCII);

    private OpenAiChunks() {}

    /** {@link #nullUsageSuffixStart(byte[], int)} over the whole array. */
    public static int nullUsageSuffixStart(byte[] data) {
        return nullUsageSuffixStart(data, data.length);
    }

    /**
     * Where a trailing {@code ,"usage":null}} begins in {@code data[0, length)} (trailing whitespace, such as the
     * frame's blank line, allowed), or -1. Cutting {@link #NULL_USAGE}{@code .length} bytes there keeps the brace.
     */
    public static int nullUsageSuffixStart(byte[] data, int length) {
        int end = length;
        while (end > 0 && isWhitespace(data[end - 1])) {
            end--;
        }
        int start = end - 1 - NULL_USAGE.length;
        if (start < 0 || data[end - 1] != '}') {
            return -1;
        }
        for (int i = 0; i < NULL_USAGE.length; i++) {
            if (data[start + i] != NULL_USAGE[i]) {
                return -1;
            }
        }
        return start;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
