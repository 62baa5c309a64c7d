package dev.tollgate.server.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/** The id every response carries in {@code x-request-id}: the client's when it is sane, else a fresh one. */
public final class RequestId {
    public static final String HEADER = "x-request-id";
    private static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestId() {}

    /**
     * The client's id if it is 1 to 128 characters of letters, digits and {@code . _ : -}; anything else (control
     * characters, quotes, log-injection attempts) is replaced rather than echoed.
     */
    public static String accept(String fromClient) {
        if (fromClient == null || fromClient.isEmpty() || fromClient.length() > MAX_LENGTH) {
            return generate();
        }
        for (int i = 0; i < fromClient.length(); i++) {
            char c = fromClient.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return generate();
            }
        }
        return fromClient;
    }

    /**
     * The id of a request's reservation and spend-ledger row: {@code requestId} when the gateway made it, else the
     * client's id with 64 random bits appended, so a client that reuses an id (by mistake or on purpose) can
     * neither share one reservation between requests nor have one request's ledger row swallow another's. The
     * client's id stays a prefix, so the row is still found from the id the client knows.
     *
     * @param fromClient the header value {@code requestId} was accepted from, or null
     */
    public static String spendId(String requestId, String fromClient) {
        if (!requestId.equals(fromClient)) {
            return requestId;
        }
        long bits = ThreadLocalRandom.current().nextLong();
        char[] suffix = new char[17];
        suffix[0] = '.';
        for (int i = 0; i < 16; i++) {
            suffix[1 + i] = HEX[(int) (bits >>> (60 - 4 * i)) & 0xf];
        }
        return requestId + new String(suffix);
    }

    /** {@code req_} and 128 random bits in hex. */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[36];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[4 + i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[20 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
