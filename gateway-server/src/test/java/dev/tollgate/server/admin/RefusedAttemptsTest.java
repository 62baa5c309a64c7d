package dev.tollgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Scheduler;
import dev.tollgate.server.log.AuditLog;
import dev.tollgate.server.log.LogSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefusedAttemptsTest {
    @TempDir
    Path dir;

    @Test
    void eachAddressGetsAFewLinesASecondAndTheRestAreCountedInOneLine() throws Exception {
        AtomicLong nanos = new AtomicLong();
        Path file = dir.resolve("trail.jsonl");
        var sink = new LogSink(java.io.OutputStream.nullOutputStream(), 64);
        try (var audit = new AuditLog(sink, () -> file)) {
            var attempts = new RefusedAttempts(audit, nanos::get, Scheduler.disabledScheduler());
            for (int i = 0; i < RefusedAttempts.LINES_PER_WINDOW + 3; i++) {
                attempts.refused("10.0.0.1", null, "GET", "/admin/keys", 401);
            }
            attempts.refused("10.0.0.2", "ci-readonly", "POST", "/admin/keys", 403);
            nanos.addAndGet(RefusedAttempts.WINDOW.toNanos() + 1);
            attempts.flush();
            // A new window: the address may be heard again.
            attempts.refused("10.0.0.1", null, "GET", "/admin/spend", 401);
            audit.record(AuditLog.entry("barrier", "test")).toCompletableFuture().join();
        }
        sink.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.stream().filter(l -> l.contains("\"remote\":\"10.0.0.1\"")
                && l.contains("\"action\":\"admin.refused\"")).count())
                .isEqualTo(RefusedAttempts.LINES_PER_WINDOW + 1);
        assertThat(lines).filteredOn(l -> l.contains("\"action\":\"admin.refused\"")).first().asString()
                .contains("\"actor\":\"unknown\"", "\"method\":\"GET\"", "\"route\":\"/admin/keys\"",
                        "\"status\":401");
        assertThat(lines).filteredOn(l -> l.contains("10.0.0.2")).singleElement().asString()
                .contains("\"actor\":\"ci-readonly\"", "\"method\":\"POST\"", "\"status\":403");
        assertThat(lines).filteredOn(l -> l.contains("admin.refused.suppressed")).singleElement().asString()
                .contains("\"remote\":\"10.0.0.1\"", "\"count\":3", "\"window_ms\":1000");
        assertThat(lines.getLast()).contains("barrier");
        assertThat(lines.get(lines.size() - 2)).contains("/admin/spend");
    }

    @Test
    void manyAddressesTogetherGetABoundedNumberOfLinesASecond() throws Exception {
        AtomicLong nanos = new AtomicLong();
        Path file = dir.resolve("trail.jsonl");
        var sink = new LogSink(java.io.OutputStream.nullOutputStream(), 64);
        int addresses = 1_000;
        try (var audit = new AuditLog(sink, () -> file)) {
            var attempts = new RefusedAttempts(audit, nanos::get, Scheduler.disabledScheduler());
            // One client rotating through the addresses of its IPv6 /64: a few refusals from each, some over the limit.
            for (int a = 0; a < addresses; a++) {
                for (int i = 0; i < RefusedAttempts.LINES_PER_WINDOW + 2; i++) {
                    attempts.refused("2001:db8::" + Integer.toHexString(a), null, "GET", "/admin/keys", 401);
                }
            }
            // Two windows end: the addresses' counts are written in the second, under the same overall limit.
            for (int window = 0; window < 2; window++) {
                nanos.addAndGet(RefusedAttempts.WINDOW.toNanos() + 1);
                attempts.flush();
            }
            audit.record(AuditLog.entry("barrier", "test")).toCompletableFuture().join();
        }
        sink.close();
        List<String> lines = Files.readAllLines(file);
        // Per window: the overall limit's lines and one line with the count of the rest; then the barrier.
        assertThat(lines).hasSizeLessThanOrEqualTo(2 * (RefusedAttempts.LINES_PER_WINDOW_OVERALL + 1) + 1);
        assertThat(lines.stream().filter(l -> l.contains("\"action\":\"admin.refused\"")).count())
                .isEqualTo(RefusedAttempts.LINES_PER_WINDOW_OVERALL);
        // Nothing is lost: every refusal is either a line of its own or in a count.
        long counted = lines.stream().filter(l -> l.contains("admin.refused.suppressed"))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*\"count\":(\\d+).*", "$1"))).sum();
        assertThat(RefusedAttempts.LINES_PER_WINDOW_OVERALL + counted)
                .isEqualTo((long) addresses * (RefusedAttempts.LINES_PER_WINDOW + 2));
        assertThat(lines).filteredOn(l -> l.contains("admin.refused.suppressed")).last().asString()
                .contains("\"remote\":\"*\"");
    }
}
