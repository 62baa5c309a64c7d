package dev.tollgate.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.runtime.LogLevel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** {@code server.log_level}: event lines below it are dropped, access and audit lines never are. */
class EventLevelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventLinesBelowTheThresholdAreDroppedAndTheThresholdCanMove() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 64);
        sink.threshold(LogLevel.WARN);
        sink.write(LogSink.event(LogLevel.DEBUG, "d1"));
        sink.write(LogSink.event(LogLevel.INFO, "i1"));
        sink.write(LogSink.event(LogLevel.WARN, "w1"));
        sink.write(LogSink.event(LogLevel.ERROR, "e1"));
        sink.write(new JsonLine().field("type", "access"));
        sink.threshold(LogLevel.DEBUG);
        sink.write(LogSink.event(LogLevel.DEBUG, "d2"));
        sink.close();

        assertThat(lines(out)).extracting(l -> l.path("msg").asText(l.path("type").asText()))
                .containsExactly("w1", "e1", "access", "d2");
    }

    @Test
    void levelsOrderFromDebugToError() {
        assertThat(LogLevel.INFO.admits(LogLevel.WARN)).isTrue();
        assertThat(LogLevel.INFO.admits(LogLevel.INFO)).isTrue();
        assertThat(LogLevel.INFO.admits(LogLevel.DEBUG)).isFalse();
        assertThat(LogLevel.ERROR.admits(LogLevel.WARN)).isFalse();
        assertThat(LogLevel.parse("warn")).isEqualTo(LogLevel.WARN);
    }

    @Test
    void auditLinesPassAFullQueueAndAnyThreshold() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 1);
        sink.threshold(LogLevel.ERROR);
        // The writer drains every few milliseconds; a burst far above the capacity overflows it whatever the timing.
        for (int i = 0; i < 1_000; i++) {
            sink.write(new JsonLine().field("type", "access").field("n", i));
        }
        new AuditLog(sink, () -> null).recordNow(AuditLog.entry("key.create", "admin:abc").field("key", "k1"));
        sink.close();

        List<JsonNode> audit = lines(out).stream().filter(l -> l.path("type").asText().equals("audit")).toList();
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("key.create");
        assertThat(audit.get(0).path("actor").asText()).isEqualTo("admin:abc");
    }

    @Test
    void javaLoggingRecordsBecomeJsonLinesAtTheMatchingLevel() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 64);
        Logger root = Logger.getLogger("");
        var handlers = root.getHandlers();
        Level before = root.getLevel();
        try {
            JavaLogging.install(sink, LogLevel.INFO);
            Logger logger = Logger.getLogger("dev.tollgate.test.levels");
            logger.fine("not at info");
            logger.log(Level.WARNING, "store {0} failed", "redis");
            logger.log(new LogRecord(Level.SEVERE, "boom") {
                {
                    setLoggerName("dev.tollgate.test.levels");
                    setThrown(new IllegalStateException("inner"));
                }
            });
            sink.threshold(LogLevel.DEBUG);
            JavaLogging.threshold(LogLevel.DEBUG);
            logger.fine("now at debug");
        } finally {
            for (var h : root.getHandlers()) {
                root.removeHandler(h);
            }
            for (var h : handlers) {
                root.addHandler(h);
            }
            root.setLevel(before);
            sink.close();
        }
        List<JsonNode> lines = lines(out).stream()
                .filter(l -> l.path("logger").asText().equals("dev.tollgate.test.levels")).toList();
        assertThat(lines).extracting(l -> l.path("level").asText() + " " + l.path("msg").asText())
                .containsExactly("warn store redis failed", "error boom", "debug now at debug");
        assertThat(lines.get(1).path("error").asText()).isEqualTo("java.lang.IllegalStateException: inner");
        assertThat(lines.get(1).path("trace").asText()).contains("EventLevelsTest");
    }

    private static List<JsonNode> lines(ByteArrayOutputStream out) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
