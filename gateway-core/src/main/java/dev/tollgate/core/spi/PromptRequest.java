package dev.tollgate.core.spi;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a request names a registry prompt by header: {@value #HEADER} ({@code id}, {@code id@label} or
 * {@code id@3}) and {@value #VARIABLES_HEADER} (a JSON object). The body form is a top-level {@code prompt} object,
 * read by the dialect itself.
 *
 * @param reference the {@value #HEADER} header's text, or null
 * @param variables the {@value #VARIABLES_HEADER} header's text, or null
 */
public record PromptRequest(String reference, String variables) {
    public static final String HEADER = "x-tollgate-prompt";
    public static final String VARIABLES_HEADER = "x-tollgate-prompt-variables";
    /** The response header naming the experiment and arm a prompt request was assigned to. */
    public static final String EXPERIMENT_HEADER = "x-tollgate-experiment";
    /** The top-level body field that names a prompt. */
    public static final String FIELD = "prompt";

    /** A request that names its prompt in the body only. */
    public static final PromptRequest NONE = new PromptRequest(null, null);

    /**
     * The headers as HTTP delivers them: each header's field lines (none, or one: a second is a 400, as it would
     * leave which prompt or variables were meant to a guess), and a field value is octets, handed over one char per
     * octet (ISO-8859-1). A client writes non-ASCII variable values as UTF-8 (curl does; JSON may also escape them),
     * so the octets are read as UTF-8 here, else {@code "Jürgen"} would render as {@code "JÃ¼rgen"}.
     *
     * @param references the {@value #HEADER} field values
     * @param variables the {@value #VARIABLES_HEADER} field values
     * @throws GatewayException a 400 naming a header given more than once ({@code duplicate_header}) or whose octets
     *     are not UTF-8 ({@code invalid_header_encoding})
     */
    public static PromptRequest fromHttp(List<String> references, List<String> variables) {
        return new PromptRequest(single(references, HEADER), single(variables, VARIABLES_HEADER));
    }

    private static String single(List<String> values, String header) {
        if (values.size() > 1) {
            throw new GatewayException(GatewayError.invalid(header, "duplicate_header",
                    "The " + header + " header is given " + values.size() + " times; give it once."));
        }
        return values.isEmpty() ? null : utf8(values.getFirst(), header);
    }

    private static String utf8(String octets, String header) {
        if (octets.chars().allMatch(c -> c < 0x80)) {
            return octets; // ASCII, as nearly every value is: the same text in both readings
        }
        try {
            // newDecoder() reports malformed input rather than replacing it
            return StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(octets.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            throw new GatewayException(GatewayError.invalid(header, "invalid_header_encoding",
                    "The " + header + " header is not UTF-8 text."));
        }
    }
}
