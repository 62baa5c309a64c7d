package dev.tollgate.core.quota;

/**
 * Rate limits of one scope (a key, a team, a deployment, an end user). Zero on a dimension means no limit there.
 * Requests and tokens are counted over a sliding minute; {@code concurrent} counts requests in flight.
 *
 * @param rpm requests per minute
 * @param tpm tokens (input + output) per minute
 * @param concurrent requests in flight at once
 */
public record Limits(long rpm, long tpm, int concurrent) {
    public static final Limits NONE = new Limits(0, 0, 0);

    public Limits {
        if (rpm < 0 || tpm < 0 || concurrent < 0) {
            throw new IllegalArgumentException("limits cannot be negative");
        }
    }

    /** True when no dimension is limited. */
    public boolean none() {
        return rpm == 0 && tpm == 0 && concurrent == 0;
    }
}
