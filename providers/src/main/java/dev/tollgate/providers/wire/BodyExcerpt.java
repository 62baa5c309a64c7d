package dev.tollgate.providers.wire;

import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiFinding;
import java.nio.charset.StandardCharsets;

/**
 * Bounded text from an upstream error reply, for a client's error message or a log line: the start of a body that is
 * not JSON (an HTML page from a proxy, say), and the cut that bounds a provider's own message. Stateless.
 */
public final class BodyExcerpt {

    /** The longest excerpt of a non-JSON error body that reaches a client or a log. */
    public static final int MAX_CHARS = 200;

    /** How far past a cut a credential that straddles it is looked for. */
    private static final int SECRET_REACH = 16_384;

    private BodyExcerpt() {}

    /**
     * The start of {@code body} decoded as UTF-8 on one line: runs of whitespace and control characters become one
     * space, none at either end; at most {@value #MAX_CHARS} characters.
     */
    public static String of(byte[] body) {
        // Four bytes per character at most, so this decodes enough for a full excerpt and no more.
        String text = new String(body, 0, Math.min(body.length, MAX_CHARS * 4), StandardCharsets.UTF_8);
        var out = new StringBuilder(Math.min(text.length(), MAX_CHARS));
        boolean gap = false;
        for (int i = 0; i < text.length() && out.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                gap = out.length() > 0;
            } else {
                if (gap) {
                    out.append(' ');
                    gap = false;
                }
                out.append(c);
            }
        }
        return truncate(out.toString(), MAX_CHARS);
    }

    /**
     * {@code text} cut to at most {@code max} characters, never between the two halves of a surrogate pair, and
     * never inside a credential ({@link PiiDetector#secrets()}): cut in two, a key loses the shape a later scrub
     * recognises it by and its front would reach the client, so the cut goes before it. Used on error paths only.
     */
    public static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int cut = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        // The longest credential shapes (JWTs, PEM keys) span a few thousand characters: that far past the cut
        // is enough to see one whole.
        String around = text.substring(0, Math.min(text.length(), cut + SECRET_REACH));
        for (PiiFinding f : PiiDetector.secrets().find(around)) {
            if (f.start() < cut && f.end() > cut) {
                return text.substring(0, f.start());
            }
        }
        return text.substring(0, cut);
    }
}
