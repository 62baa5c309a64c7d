package dev.tollgate.core.prompt;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;

/**
 * How a request names a prompt: its id and at most one of a label or a version number. With neither, the
 * {@link Prompt#DEFAULT_LABEL} label applies, or the newest version when the prompt has no such label.
 *
 * @param label null when the request names none
 * @param version null when the request names none
 */
public record PromptRef(String id, String label, Integer version) {
    /** Longest id or label a request may send: they are config names, and the text reaches error messages. */
    private static final int MAX_NAME = 128;

    public PromptRef {
        requireNonNull(id, "id");
        if (label != null && version != null) {
            throw new IllegalArgumentException("a prompt reference names a label or a version, not both");
        }
    }

    /**
     * Reads the header form: {@code id}, {@code id@label} or {@code id@3}.
     *
     * @param param the request field or header it came from, for the error
     * @throws GatewayException a 400 for an empty id, an empty or over-long part, or a version that is not a number
     *     from 1 to {@link PromptVersion#MAX_NUMBER}
     */
    public static PromptRef parse(String text, String param) {
        int at = text.lastIndexOf('@');
        String id = (at < 0 ? text : text.substring(0, at)).strip();
        String selector = at < 0 ? null : text.substring(at + 1).strip();
        checkName(id, "id", param);
        if (selector == null) {
            return new PromptRef(id, null, null);
        }
        if (!selector.isEmpty() && selector.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return new PromptRef(id, null, version(selector, param));
        }
        checkName(selector, "label", param);
        return new PromptRef(id, selector, null);
    }

    /**
     * A version number as a request writes it; leading zeros are read past ({@code 007} is 7).
     *
     * @throws GatewayException a 400 unless it is a whole number from 1 to {@link PromptVersion#MAX_NUMBER}
     */
    public static int version(String text, String param) {
        String digits = text.replaceFirst("^0+", "");
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9') || digits.isEmpty()
                || digits.length() > String.valueOf(PromptVersion.MAX_NUMBER).length()) {
            throw invalid(param, "a prompt version is a whole number from 1 to " + PromptVersion.MAX_NUMBER
                    + ", got '" + shorten(text) + "'");
        }
        return Integer.parseInt(digits);
    }

    /**
     * @throws GatewayException a 400 for an empty or over-long id or label
     */
    public static void checkName(String name, String what, String param) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw invalid(param, "a prompt " + what + " is 1 to " + MAX_NAME + " characters"
                    + (name.isEmpty() ? "; it is empty" : ""));
        }
    }

    private static GatewayException invalid(String param, String message) {
        return new GatewayException(GatewayError.invalid(param, "invalid_prompt_reference",
                "Invalid prompt reference in " + param + ": " + message + "."));
    }

    private static String shorten(String text) {
        return text.length() <= 20 ? text : text.substring(0, 20) + "...";
    }

    @Override
    public String toString() {
        return id + (label != null ? "@" + label : version != null ? "@" + version : "");
    }
}
