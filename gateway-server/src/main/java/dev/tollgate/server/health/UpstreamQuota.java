package dev.tollgate.server.health;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What a provider said of its own rate limit on one response: the requests and the tokens left in the current
 * window. Read from OpenAI and Azure OpenAI ({@code x-ratelimit-*}) and Anthropic ({@code anthropic-ratelimit-*})
 * headers. Pure; a value that does not parse is ignored, never thrown.
 *
 * @param requests the request window, or null when the response said nothing of it
 * @param tokens the tightest token window (Anthropic reports input, output and combined tokens apart), or null
 */
public record UpstreamQuota(Window requests, Window tokens) {
    public static final UpstreamQuota NONE = new UpstreamQuota(null, null);

    /** The window assumed when a provider reports what is left but not when it resets: limits are per minute. */
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    /** Resets further off than this are taken for garbage (daily limits reset within a day). */
    static final Duration MAX_RESET = Duration.ofDays(2);

    /**
     * One rate-limit window.
     *
     * @param limit the window's size, or -1 when not reported (Azure sometimes sends only what is left)
     * @param remaining what is left of it, at least 0
     * @param reset when it is full again
     */
    public record Window(long limit, long remaining, Instant reset) {
        /** The share left, in [0, 1]; 1 when it cannot be told (no limit, and something left). */
        public double headroom() {
            if (remaining == 0) {
                return 0;
            }
            return limit <= 0 ? 1 : Math.min(1, (double) remaining / limit);
        }

        /** Whichever of two windows leaves less: the used-up one, else the lower share, else the later reset. */
        static Window tighter(Window a, Window b) {
            if (a == null || b == null) {
                return a == null ? b : a;
            }
            int byShare = Double.compare(a.headroom(), b.headroom());
            if (byShare != 0) {
                return byShare < 0 ? a : b;
            }
            return a.reset.isAfter(b.reset) ? a : b;
        }
    }

    /**
     * The header names of one reported window, spelled out once: this runs on every response head, six lookups
     * on each. As {@link AsciiString}s they carry their hash, which a lookup by a plain string computes anew.
     */
    private record Names(AsciiString limit, AsciiString remaining, AsciiString reset) {
        static Names openAi(String dimension) {
            return new Names(AsciiString.cached("x-ratelimit-limit-" + dimension),
                    AsciiString.cached("x-ratelimit-remaining-" + dimension),
                    AsciiString.cached("x-ratelimit-reset-" + dimension));
        }

        static Names anthropic(String prefix) {
            return new Names(AsciiString.cached(prefix + "-limit"), AsciiString.cached(prefix + "-remaining"),
                    AsciiString.cached(prefix + "-reset"));
        }
    }

    private static final Names OPENAI_REQUESTS = Names.openAi("requests");
    private static final Names OPENAI_TOKENS = Names.openAi("tokens");
    private static final Names ANTHROPIC_REQUESTS = Names.anthropic("anthropic-ratelimit-requests");
    private static final Names ANTHROPIC_TOKENS = Names.anthropic("anthropic-ratelimit-tokens");
    private static final Names ANTHROPIC_INPUT = Names.anthropic("anthropic-ratelimit-input-tokens");
    private static final Names ANTHROPIC_OUTPUT = Names.anthropic("anthropic-ratelimit-output-tokens");

    /** The provider's rate-limit headers on a response head; {@link #NONE} when it sent none that parse. */
    public static UpstreamQuota parse(HttpHeaders headers, Instant now) {
        Window requests = Window.tighter(openAi(headers, OPENAI_REQUESTS, now),
                anthropic(headers, ANTHROPIC_REQUESTS, now));
        Window tokens = Window.tighter(openAi(headers, OPENAI_TOKENS, now), anthropic(headers, ANTHROPIC_TOKENS, now));
        tokens = Window.tighter(tokens, anthropic(headers, ANTHROPIC_INPUT, now));
        tokens = Window.tighter(tokens, anthropic(headers, ANTHROPIC_OUTPUT, now));
        return requests == null && tokens == null ? NONE : new UpstreamQuota(requests, tokens);
    }

    public boolean isEmpty() {
        return requests == null && tokens == null;
    }

    /** The lower share left of the windows that have not reset yet; 1 when none has. */
    public double headroom(Instant now) {
        double headroom = 1;
        for (Window w : new Window[] {requests, tokens}) {
            if (w != null && w.reset.isAfter(now)) {
                headroom = Math.min(headroom, w.headroom());
            }
        }
        return headroom;
    }

    /** When the last used-up window resets, or null when none is used up (or all have reset since). */
    public Instant exhaustedUntil(Instant now) {
        Instant until = null;
        for (Window w : new Window[] {requests, tokens}) {
            if (w != null && w.remaining == 0 && w.reset.isAfter(now) && (until == null || w.reset.isAfter(until))) {
                until = w.reset;
            }
        }
        return until;
    }

    /** {@code x-ratelimit-limit-<dimension>}, {@code -remaining-}, {@code -reset-} (a duration such as 6m0s). */
    private static Window openAi(HttpHeaders headers, Names names, Instant now) {
        long remaining = count(headers.get(names.remaining()));
        if (remaining < 0) {
            return null;
        }
        Duration in = duration(headers.get(names.reset()));
        return new Window(count(headers.get(names.limit())), remaining, now.plus(in == null ? DEFAULT_WINDOW : in));
    }

    /** {@code <prefix>-limit}, {@code -remaining}, {@code -reset} (an RFC 3339 time). */
    private static Window anthropic(HttpHeaders headers, Names names, Instant now) {
        long remaining = count(headers.get(names.remaining()));
        if (remaining < 0) {
            return null;
        }
        Instant reset = instant(headers.get(names.reset()), now);
        return new Window(count(headers.get(names.limit())), remaining, reset == null ? now.plus(DEFAULT_WINDOW) : reset);
    }

    /** A non-negative count, or -1 when absent or not one. */
    static long count(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** An RFC 3339 time no further than {@link #MAX_RESET} from now, or null. */
    static Instant instant(String value, Instant now) {
        if (value == null) {
            return null;
        }
        try {
            Instant at = OffsetDateTime.parse(value.trim()).toInstant();
            return at.isAfter(now.plus(MAX_RESET)) ? null : at;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * A Go-style duration as OpenAI sends it ({@code 1s}, {@code 6m0s}, {@code 20ms}, {@code 1h2m3.5s}; units
     * {@code h m s ms us µs ns}), or a bare number of seconds; null when not one or longer than {@link #MAX_RESET}.
     */
    static Duration duration(String value) {
        if (value == null) {
            return null;
        }
        String s = value.trim();
        if (s.isEmpty() || s.length() > 40) {
            return null;
        }
        double nanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && numeric(s.charAt(i))) {
                i++;
            }
            double amount;
            try {
                amount = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null; // no digits where a number belongs, or two dots
            }
            int unitStart = i;
            while (i < s.length() && !numeric(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (unit.isEmpty() && start == 0 && i == s.length()) {
                unit = "s"; // a bare number
            }
            double scale = switch (unit) {
                case "h" -> 3600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                case "ns" -> 1;
                default -> -1;
            };
            if (scale < 0) {
                return null;
            }
            nanos += amount * scale;
        }
        return nanos > MAX_RESET.toNanos() ? null : Duration.ofNanos((long) nanos);
    }

    private static boolean numeric(char c) {
        return c >= '0' && c <= '9' || c == '.';
    }
}
