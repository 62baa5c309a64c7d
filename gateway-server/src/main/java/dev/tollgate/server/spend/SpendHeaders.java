package dev.tollgate.server.spend;

import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quota.RateHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;

/** The response headers that tell a client its rate-limit state (OpenAI's names) and what a request cost. */
public final class SpendHeaders {
    public static final String COST = "x-tollgate-cost-usd";

    private SpendHeaders() {}

    /** Adds the {@code x-ratelimit-*} headers for every dimension some scope limits. */
    public static void rate(RateHeaders h, HttpHeaders out) {
        if (h.limitRequests() >= 0) {
            out.set("x-ratelimit-limit-requests", h.limitRequests());
            out.set("x-ratelimit-remaining-requests", h.remainingRequests());
            out.set("x-ratelimit-reset-requests", duration(h.resetRequests()));
        }
        if (h.limitTokens() >= 0) {
            out.set("x-ratelimit-limit-tokens", h.limitTokens());
            out.set("x-ratelimit-remaining-tokens", h.remainingTokens());
            out.set("x-ratelimit-reset-tokens", duration(h.resetTokens()));
        }
    }

    public static void cost(Money cost, HttpHeaders out) {
        out.set(COST, cost.usd());
    }

    /** OpenAI's duration form: {@code 120ms} under a second, else {@code 1m30s}, {@code 6s}. */
    static String duration(Duration d) {
        long millis = Math.max(0, d.toMillis());
        if (millis < 1000) {
            return millis + "ms";
        }
        long seconds = (millis + 999) / 1000;
        StringBuilder out = new StringBuilder(8);
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
            seconds %= 3600;
            out.append(seconds / 60).append('m');
        } else if (seconds >= 60) {
            out.append(seconds / 60).append('m');
        }
        return out.append(seconds % 60).append('s').toString();
    }
}
