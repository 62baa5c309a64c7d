package dev.tollgate.providers;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Client request bodies for the dialect and envelope tests of every client dialect: written by hand, built at scale,
 * generated and mutated at random; and the error a refused one gets.
 */
public final class ClientBodies {

    private ClientBodies() {}

    /** JSON written with single quotes for readability. */
    public static byte[] j(String json) {
        return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    /** The error of the {@link GatewayException} that {@code decode} must throw. */
    public static GatewayError rejection(Runnable decode) {
        return catchThrowableOfType(GatewayException.class, decode::run).error();
    }

    /**
     * An object of {@code members} (JSON text ending in a comma) and a {@code messages} array of {@code count}
     * minimal user messages, built without a tree so a million messages stay cheap.
     */
    public static byte[] withMessages(String members, int count) {
        var out = new ByteArrayOutputStream(count * 32 + 64);
        out.writeBytes(("{" + members + "\"messages\":[").getBytes(StandardCharsets.UTF_8));
        byte[] message = "{\"role\":\"user\",\"content\":\"\"}".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(message);
        }
        out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A JSON string literal for {@code text}, each character written raw or as a random escape. */
    public static String literal(String text, Random random) {
        var out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || random.nextInt(4) == 0) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * {@code body} with one random edit: a byte replaced, inserted or deleted, the tail cut off, or a run of up to 16
     * bytes repeated. New bytes are mostly from {@code interesting} (JSON punctuation), sometimes any byte at all.
     */
    public static byte[] mutate(byte[] body, Random random, byte[] interesting) {
        if (body.length == 0) {
            return new byte[] {interesting[random.nextInt(interesting.length)]};
        }
        int at = random.nextInt(body.length);
        byte pick = random.nextInt(4) == 0
                ? (byte) random.nextInt(256)
                : interesting[random.nextInt(interesting.length)];
        return switch (random.nextInt(5)) {
            case 0 -> {
                byte[] copy = body.clone();
                copy[at] = pick;
                yield copy;
            }
            case 1 -> {
                byte[] copy = new byte[body.length + 1];
                System.arraycopy(body, 0, copy, 0, at);
                copy[at] = pick;
                System.arraycopy(body, at, copy, at + 1, body.length - at);
                yield copy;
            }
            case 2 -> {
                byte[] copy = new byte[body.length - 1];
                System.arraycopy(body, 0, copy, 0, at);
                System.arraycopy(body, at + 1, copy, at, body.length - at - 1);
                yield copy;
            }
            case 3 -> Arrays.copyOf(body, at);
            default -> {
                int length = Math.min(body.length - at, 1 + random.nextInt(16));
                byte[] copy = new byte[body.length + length];
                System.arraycopy(body, 0, copy, 0, at + length);
                System.arraycopy(body, at, copy, at + length, body.length - at);
                yield copy;
            }
        };
    }
}
