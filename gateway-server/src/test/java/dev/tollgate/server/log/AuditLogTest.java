package dev.tollgate.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void linesAreAppendedToTheAuditFileInOrder() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 16);
        Path file = dir.resolve("audit/trail.jsonl");
        try (var audit = new AuditLog(sink, () -> file)) {
            audit.record(AuditLog.entry("key.create", "admin:1").field("key", "a")).toCompletableFuture().join();
            audit.recordNow(AuditLog.entry("key.revoke", "admin:2").field("key", "a"));
        }
        sink.close();
        assertThat(Files.readAllLines(file)).hasSize(2)
                .satisfiesExactly(
                        l -> assertThat(l).contains("\"type\":\"audit\"", "\"action\":\"key.create\"",
                                "\"actor\":\"admin:1\""),
                        l -> assertThat(l).contains("\"action\":\"key.revoke\""));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"action\":\"key.create\"",
                "\"action\":\"key.revoke\"");
    }

    @Test
    void aFileThatCannotBeWrittenRefusesTheLineAndSaysSoInTheEventLog() throws Exception {
        var out = new ByteArrayOutputStream();
        var sink = new LogSink(out, 16);
        Path directory = Files.createDirectory(dir.resolve("not-a-file"));
        try (var audit = new AuditLog(sink, () -> directory)) {
            assertThatThrownBy(() -> audit.recordNow(AuditLog.entry("cache.purge", "admin:1")))
                    .isInstanceOf(AuditLog.Unwritable.class)
                    .hasMessageContaining("cannot be written").hasMessageContaining("the change was not made");
            assertThatThrownBy(() -> audit.record(AuditLog.entry("cache.purge", "admin:1")).toCompletableFuture()
                    .join()).isInstanceOf(CompletionException.class).hasCauseInstanceOf(AuditLog.Unwritable.class);
        }
        sink.close();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("\"action\":\"cache.purge\"", "the audit file cannot be written");
    }
}
