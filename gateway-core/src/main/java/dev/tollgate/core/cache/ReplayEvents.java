package dev.tollgate.core.cache;

import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.StreamEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored answer as the canonical events of a stream, for a streaming client served from the cache: the start,
 * each text part as one delta, each tool call as one delta carrying its id, name and whole arguments, the finish,
 * then the usage. A client dialect's stream encoder turns them into its own events (role chunk, content, finish,
 * usage when asked, terminal marker).
 */
public final class ReplayEvents {
    private ReplayEvents() {}

    /** @param id the response id the replay carries */
    public static List<StreamEvent> of(ChatResponse response, String id) {
        var events = new ArrayList<StreamEvent>(response.output().size() + 3);
        events.add(new StreamEvent.Start(id, response.model(), response.created()));
        int call = 0;
        for (Part part : response.output()) {
            switch (part) {
                case Part.Text t -> events.add(new StreamEvent.TextDelta(0, t.text()));
                case Part.ToolCall c -> events.add(new StreamEvent.ToolCallDelta(call++, c.id(), c.name(),
                        c.arguments()));
                // not parts of an answer: never stored
                case Part.Image i -> { }
                case Part.ToolResult r -> { }
            }
        }
        events.add(new StreamEvent.Finish(response.finishReason()));
        events.add(new StreamEvent.UsageUpdate(response.usage()));
        return events;
    }
}
