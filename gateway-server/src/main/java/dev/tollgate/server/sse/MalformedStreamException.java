package dev.tollgate.server.sse;

/** An upstream stream broke its framing (a bad checksum, an impossible length): the provider is at fault. */
public final class MalformedStreamException extends RuntimeException {
    public MalformedStreamException(String message) {
        super(message, null, false, false);
    }
}
