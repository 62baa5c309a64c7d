package dev.tollgate.core.spi;

import dev.tollgate.core.model.StreamEvent;
import java.util.List;

/**
 * Turns one upstream's server-sent events into canonical stream events. One instance per stream, stateful,
 * used from a single thread (the exchange's event loop); it never blocks.
 */
public interface StreamDecoder {

    /** The canonical events one upstream SSE event carries; empty for keep-alives and markers. */
    List<StreamEvent> onEvent(SseEvent event);

    /**
     * The upstream body ended. Returns what is still owed, and a {@link StreamEvent.Failure} when the stream ended
     * without its provider's terminal marker: a truncated stream must never look like a finished one.
     */
    List<StreamEvent> onComplete();
}
