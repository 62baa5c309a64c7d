package dev.tollgate.core.spi;

import static java.util.Objects.requireNonNull;

/**
 * One server-sent event as the SSE framing rules (WHATWG HTML, "event stream interpretation") define it:
 * the {@code data} lines joined with LF. {@code event} and {@code id} are null when the event had none.
 */
public record SseEvent(String event, String data, String id) {
    public SseEvent { requireNonNull(data, "data"); }

    public static SseEvent data(String data) {
        return new SseEvent(null, data, null);
    }
}
