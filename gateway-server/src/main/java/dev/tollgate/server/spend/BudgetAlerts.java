package dev.tollgate.server.spend;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.AlertWebhook;
import dev.tollgate.core.observe.GatewayMetrics;
import dev.tollgate.core.quota.BudgetCrossing;
import dev.tollgate.core.runtime.LogLevel;
import dev.tollgate.server.log.JsonLine;
import dev.tollgate.server.log.LogSink;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A budget crossed an alert threshold: a log line, a metric, and (when configured) a webhook POST with a JSON
 * body, retried with backoff on its own threads. Nothing here blocks or fails a request; alerts beyond
 * {@value #MAX_PENDING} waiting deliveries are logged and dropped rather than queued without bound.
 */
public final class BudgetAlerts implements AutoCloseable {
    static final int MAX_PENDING = 1_000;
    private static final int ATTEMPTS = 4;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<AlertWebhook> webhook;
    private final GatewayMetrics metrics;
    private final Consumer<JsonLine> log;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService retries;
    private final AtomicInteger pending = new AtomicInteger();

    /** @param webhook the current config's webhook, or null when none is configured */
    public BudgetAlerts(Supplier<AlertWebhook> webhook, GatewayMetrics metrics, Consumer<JsonLine> log, Clock clock) {
        this.webhook = requireNonNull(webhook, "webhook");
        this.metrics = requireNonNull(metrics, "metrics");
        this.log = requireNonNull(log, "log");
        this.clock = requireNonNull(clock, "clock");
        // Redirects are not followed: the webhook's address comes from config and nowhere else.
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        this.retries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("tollgate-alerts").factory());
    }

    public void fire(BudgetCrossing c) {
        metrics.budgetAlert(Refusals.kind(c.scope()), c.threshold());
        log.accept(LogSink.event(LogLevel.WARN, "budget alert")
                .field("scope", c.scope())
                .field("threshold", c.threshold())
                .field("spent_usd", c.spent().usd())
                .field("limit_usd", c.limit().usd())
                .field("period_start", c.window().start().toString()));
        AlertWebhook hook = webhook.get();
        if (hook == null) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            log.accept(LogSink.event(LogLevel.ERROR, "budget alert webhook backlog full; alert not delivered")
                    .field("scope", c.scope()));
            return;
        }
        deliver(hook, c, body(c), 1);
    }

    private void deliver(AlertWebhook hook, BudgetCrossing c, byte[] body, int attempt) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hook.url()).timeout(TIMEOUT)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (hook.authorization() != null) {
            request.header("authorization", hook.authorization().reveal());
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
            if (e == null && response.statusCode() / 100 == 2) {
                pending.decrementAndGet();
                return;
            }
            String why = e != null ? e.getClass().getSimpleName() : "HTTP " + response.statusCode();
            if (attempt == ATTEMPTS) {
                pending.decrementAndGet();
                log.accept(LogSink.event(LogLevel.ERROR, "budget alert webhook failed; giving up")
                        .field("scope", c.scope()).field("threshold", c.threshold())
                        .field("attempts", attempt).field("reason", why));
                return;
            }
            long delay = 1L << (2 * (attempt - 1)); // 1 s, 4 s, 16 s
            retries.schedule(() -> deliver(hook, c, body, attempt + 1), delay, TimeUnit.SECONDS);
        });
    }

    private byte[] body(BudgetCrossing c) {
        JsonLine json = new JsonLine().field("type", "budget_threshold").field("scope", c.scope())
                .field("threshold", c.threshold()).field("spent_usd", c.spent().usd())
                .field("limit_usd", c.limit().usd()).field("period_start", c.window().start().toString())
                .field("period_end", c.window().resets() ? c.window().end().toString() : null)
                .field("at", clock.instant().toString());
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        retries.shutdownNow();
        http.close();
    }
}
