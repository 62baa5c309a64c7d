package dev.tollgate.server.store;

import java.nio.charset.StandardCharsets;

/**
 * What one replica publishes when it purges the shared cache, so that every replica drops its own copies too: the
 * model group and the scope, either of them "any".
 *
 * @param model null for any model group
 * @param scope null for any scope
 */
record PurgeNotice(String model, String scope) {
    private static final char ANY = '*';
    private static final char NAMED = '=';
    private static final char SEPARATOR = '\0';

    static byte[] encode(String model, String scope) {
        return (part(model) + SEPARATOR + part(scope)).getBytes(StandardCharsets.UTF_8);
    }

    /** The notice, or null for a message that is not one (another program on the channel, a future format). */
    static PurgeNotice decode(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int split = text.indexOf(SEPARATOR);
        if (split < 1 || split == text.length() - 1) {
            return null;
        }
        String model = text.substring(0, split);
        String scope = text.substring(split + 1);
        if (!valid(model) || !valid(scope)) {
            return null;
        }
        return new PurgeNotice(name(model), name(scope));
    }

    private static String part(String name) {
        return name == null ? String.valueOf(ANY) : NAMED + name;
    }

    private static boolean valid(String part) {
        return part.equals(String.valueOf(ANY)) || part.length() > 1 && part.charAt(0) == NAMED;
    }

    private static String name(String part) {
        return part.charAt(0) == ANY ? null : part.substring(1);
    }
}
