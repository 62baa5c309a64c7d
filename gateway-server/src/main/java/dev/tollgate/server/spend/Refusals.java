package dev.tollgate.server.spend;

import dev.tollgate.core.access.AccessPolicy;
import dev.tollgate.core.model.ErrorKind;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Denial;
import java.time.Duration;
import java.time.Instant;

/** The client-facing errors for refused admissions, worded like OpenAI's own rate-limit errors. */
public final class Refusals {
    private Refusals() {}

    /** @param requested what the refused request would have reserved against budgets (its worst-case cost) */
    public static GatewayError of(Denial d, Money requested, Instant now) {
        String who = describe(d.scope());
        return switch (d.dimension()) {
            case REQUESTS -> limited(d, "Rate limit reached for " + who + " on requests per minute: Limit "
                    + d.limit() + ", Used " + d.used() + ", Requested 1.", "rate_limit_exceeded");
            // Waiting will not help this one; Retry-After (a full window) is there because every 429 has one.
            case TOKENS -> d.retryAfter() == null
                    ? new GatewayError(ErrorKind.RATE_LIMITED, 429, "Request too large for " + who + " on tokens per "
                            + "minute: Limit " + d.limit() + ", but this request may use more. Lower max_tokens or "
                            + "shorten the prompt.", null, "tokens_exceed_limit", Duration.ofMinutes(1))
                    : limited(d, "Rate limit reached for " + who + " on tokens per minute: Limit " + d.limit()
                            + ", Used " + d.used() + ".", "rate_limit_exceeded");
            case CONCURRENT -> limited(d, "Too many concurrent requests for " + who + ": Limit " + d.limit() + ".",
                    "concurrency_limit_exceeded");
            case BUDGET -> budget(d, who, requested, now);
        };
    }

    public static GatewayError of(Admission.Unavailable u) {
        return new GatewayError(ErrorKind.GATEWAY_OVERLOADED, 503, "The gateway cannot check limits and budgets "
                + "right now (" + u.reason() + "); try again shortly.", null, "quota_store_unavailable",
                u.retryAfter());
    }

    private static GatewayError limited(Denial d, String message, String code) {
        Duration after = d.retryAfter() == null ? Duration.ofSeconds(1) : d.retryAfter();
        return new GatewayError(ErrorKind.RATE_LIMITED, 429, message + " Please try again in " + seconds(after)
                + "s.", null, code, after);
    }

    private static GatewayError budget(Denial d, String who, Money requested, Instant now) {
        Money limit = new Money(d.limit());
        Money spent = new Money(d.used());
        StringBuilder message = new StringBuilder("Budget exceeded for ").append(who).append(": spent $")
                .append(spent.usd()).append(" of $").append(limit.usd());
        if (d.reserved() > 0) {
            message.append(" (plus $").append(new Money(d.reserved()).usd()).append(" held by requests in flight)");
        }
        // Budgets admit a request by its worst case: say so, or a refusal with most of the budget left is a riddle.
        message.append(", and this request may cost up to $").append(requested.usd())
                .append(" (its prompt and max_tokens at the model's prices; a lower max_tokens reserves less)");
        Duration after = null;
        if (d.resetsAt() != null && !d.resetsAt().equals(Instant.MAX)) {
            message.append("; it resets at ").append(d.resetsAt()).append('.');
            after = Duration.between(now, d.resetsAt());
            if (after.isNegative()) {
                after = Duration.ZERO;
            }
        } else {
            // A lifetime budget never resets: the day is a polite interval, for every 429 carries Retry-After.
            message.append("; it does not reset.");
            after = Duration.ofDays(1);
        }
        return new GatewayError(ErrorKind.BUDGET_EXCEEDED, 429, message.toString(), null, "budget_exceeded", after);
    }

    /** Human words for a scope key ({@code key:bot} -> {@code key 'bot'}). */
    public static String describe(String scope) {
        if (scope.equals(AccessPolicy.GLOBAL_SCOPE)) {
            return "the gateway's global budget";
        }
        int colon = scope.indexOf(':');
        String kind = scope.substring(0, colon);
        String rest = scope.substring(colon + 1);
        if (kind.equals("user")) {
            int split = rest.indexOf(':'); // key names hold no colon; the user id may
            return "end user '" + rest.substring(split + 1) + "' of key '" + rest.substring(0, split) + "'";
        }
        return kind + " '" + rest + "'";
    }

    /** The kind of a scope ({@code key}, {@code team}, {@code user}, {@code deployment}, {@code global}): a label. */
    public static String kind(String scope) {
        int colon = scope.indexOf(':');
        return colon < 0 ? scope : scope.substring(0, colon);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
