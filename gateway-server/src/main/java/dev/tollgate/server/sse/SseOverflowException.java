package dev.tollgate.server.sse;

/** One server-sent event grew past the framer's limit: the upstream is broken or hostile. */
public final class SseOverflowException extends RuntimeException {
    public SseOverflowException(int limit) {
        super("an upstream event exceeded " + limit + " bytes", null, false, false);
    }
}
