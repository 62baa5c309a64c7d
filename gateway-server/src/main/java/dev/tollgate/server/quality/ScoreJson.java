package dev.tollgate.server.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.quality.FeedbackScore;

/** How a score reads in JSON, the same in the feedback answer and in the admin API. */
public final class ScoreJson {
    private ScoreJson() {}

    /** Puts {@code score} as it was given (stars a number, thumbs {@code "up"}/{@code "down"}) and normalised. */
    public static ObjectNode put(ObjectNode out, FeedbackScore score) {
        switch (score) {
            case FeedbackScore.Stars s -> out.put("score", s.stars());
            case FeedbackScore.Thumbs t -> out.put("score", t.label());
        }
        return out.put("normalized_score", score.normalised());
    }
}
