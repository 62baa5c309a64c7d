package dev.tollgate.config;

import dev.tollgate.core.quality.ReviewSettings;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Binds the top-level {@code review} section (the share of chat requests kept, PII-redacted, for human review)
 * and a model's own {@code review} override. Off until the admin sets a rate: samples hold prompts and answers.
 */
final class ReviewSection {
    static final Set<String> KEYS = Set.of("sample_rate", "max_chars", "retention");
    static final Set<String> MODEL_KEYS = Set.of("sample_rate");

    static final int MIN_MAX_CHARS = 100;
    static final int MAX_MAX_CHARS = 1_000_000;
    static final Duration MIN_RETENTION = Duration.ofHours(1);
    static final Duration MAX_RETENTION = Duration.ofDays(3_650);

    private ReviewSection() {}

    /**
     * The section; {@link ReviewSettings#OFF}'s values where it is absent. Per-model rates are added later.
     *
     * @param ledger whether {@code storage.ledger} is set: samples are kept in its database
     */
    static ReviewSettings bind(MappingReader r, boolean ledger, Diagnostics problems) {
        ReviewSettings d = ReviewSettings.OFF;
        double rate = r.number("sample_rate", d.sampleRate(), 0, 1);
        int maxChars = r.integer("max_chars", d.maxChars(), MIN_MAX_CHARS, MAX_MAX_CHARS);
        Duration retention = r.duration("retention", d.retention(), MIN_RETENTION, MAX_RETENTION);
        if (rate > 0 && !ledger) {
            problems.error(r.origin("sample_rate"), "needs storage.ledger: review samples are kept in the ledger "
                    + "database");
        }
        return new ReviewSettings(rate, Map.of(), maxChars, retention);
    }

    /** A chat model's own rate, or null when the model has no {@code review} key. */
    static Double bindModel(MappingReader model, boolean ledger, Diagnostics problems) {
        if (!model.has("review")) {
            return null;
        }
        MappingReader r = model.child("review", MODEL_KEYS);
        if (!r.has("sample_rate")) {
            return null;
        }
        double rate = r.number("sample_rate", 0, 0, 1);
        if (rate > 0 && !ledger) {
            problems.error(r.origin("sample_rate"), "needs storage.ledger: review samples are kept in the ledger "
                    + "database");
        }
        return rate;
    }
}
