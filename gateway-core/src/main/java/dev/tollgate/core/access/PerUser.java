package dev.tollgate.core.access;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.quota.Budget;
import dev.tollgate.core.quota.Limits;

/**
 * A template applied to each end user of a key separately ("each end user of this key: $2 a day"). The end user
 * is OpenAI's {@code user} field, Anthropic's {@code metadata.user_id}, or the {@code x-tollgate-user} header.
 *
 * @param budget null when only limits apply
 */
public record PerUser(Limits limits, Budget budget) {
    public PerUser {
        requireNonNull(limits, "limits");
    }
}
