package dev.tollgate.server.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/** The id every response carries in {@code x-request-id}: the client's when it is sane, else a fresh one. */
public final class RequestId {
    public static final String HEADER = "x-request-id";
    private static final int MAX_LENGTH = 128;
    private static final String SHADOW_SUFFIX = ".shadow";
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
     * The id of a request's reservation and spend-ledger row: {@code requestId} when the gateway made it, else a
     * fresh gateway id, so a client that reuses an id (by mistake, or a load balancer that stamps every request)
     * can neither share one reservation between requests nor have one request's ledger row swallow another's. The
     * access log carries both ({@code request_id}, {@code spend_id}), which joins the row to the client's id.
     *
     * @param fromClient the header value {@code requestId} was accepted from, or null
     */
    public static String spendId(String requestId, String fromClient) {
        return requestId.equals(fromClient) ? generate() : requestId;
    }

    /**
     * The id of a shadow copy of request {@code parent}: the parent's with {@code .shadow} appended, so the access
     * log and the upstream's own logs join the two; a fresh id when that would be longer than a request id may be.
     */
    public static String shadowOf(String parent) {
        String id = parent + SHADOW_SUFFIX;
        return id.length() <= MAX_LENGTH ? id : generate();
    }

    /**
     * The id of the {@code n}th call an evaluation of request {@code parent} makes through the gateway:
     * {@code eval-<n>-<parent>}, so the access log joins the two; the parent's end is cut to keep it a request id.
     */
    public static String evaluationOf(String parent, int n) {
        String id = "eval-" + n + "-" + parent;
        return id.length() <= MAX_LENGTH ? id : id.substring(0, MAX_LENGTH);
    }

    /**
     * {@code req_}, the time in milliseconds (12 hex digits) and 80 random bits (20 hex digits). Time first, so ids
     * made one after the other sort one after the other: the spend ledger's primary key then grows at its end
     * instead of at random places, which makes a row about three times cheaper to insert in SQLite.
     */
    public static String generate() {
        char[] out = new char[36];
        out[0] = 'r';
        out[1] = 'e';
        out[2] = 'q';
        out[3] = '_';
        hex(System.currentTimeMillis(), 12, out, 4);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        hex(random.nextLong(), 16, out, 16);
        hex(random.nextInt(), 4, out, 32);
        return new String(out);
    }

    /** The low {@code digits} hex digits of {@code value}, most significant first, into {@code out} at {@code at}. */
    private static void hex(long value, int digits, char[] out, int at) {
        for (int i = 0; i < digits; i++) {
            out[at + i] = HEX[(int) (value >>> (4 * (digits - 1 - i))) & 0xf];
        }
    }
}
