package dev.tollgate.core.spi;

/**
 * How a request names a registry prompt by header, as the client sent it: {@value #HEADER} ({@code id},
 * {@code id@label} or {@code id@3}) and {@value #VARIABLES_HEADER} (a JSON object). The body form is a top-level
 * {@code prompt} object, read by the dialect itself.
 *
 * @param reference the {@value #HEADER} header, or null
 * @param variables the {@value #VARIABLES_HEADER} header, or null
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
}
