package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendRows.row;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.ledger.SpendRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillFileTest {
    private static final Instant AT = Instant.parse("2026-03-10T12:00:00Z");

    @TempDir
    Path dir;

    private static List<SpendRow> rows(String prefix, int count) {
        List<SpendRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(row(prefix + i, AT.plusMillis(i), "k", "t", i));
        }
        return rows;
    }

    @Test
    void rowsComeBackInOrderChunkByChunkAndTheFileEmptiesAtTheEnd() throws IOException {
        try (SpillFile spill = SpillFile.open(dir.resolve("new"), 1 << 20)) {
            assertThat(spill.pending()).isFalse();
            assertThat(spill.append(rows("a", 5))).isEqualTo(5);
            assertThat(spill.append(List.of(SpendRows.unusual("odd", AT)))).isEqualTo(1);
            assertThat(spill.pending()).isTrue();

            SpillFile.Chunk first = spill.next(4);
            assertThat(first.rows()).isEqualTo(rows("a", 4));
            spill.consumed(first);
            assertThat(spill.append(rows("b", 1))).isEqualTo(1); // appended while replaying: read after the rest
            SpillFile.Chunk second = spill.next(100);
            assertThat(second.rows()).containsExactly(rows("a", 5).get(4), SpendRows.unusual("odd", AT),
                    rows("b", 1).get(0));
            assertThat(spill.pending()).isTrue();
            spill.consumed(second);
            assertThat(spill.pending()).isFalse();
            assertThat(Files.size(spill.path())).isZero();
        }
    }

    @Test
    void aReopenedFileReplaysFromTheStart() throws IOException {
        try (SpillFile spill = SpillFile.open(dir, 1 << 20)) {
            spill.append(rows("a", 3));
            spill.consumed(spill.next(2)); // only remembered in memory
        }
        try (SpillFile spill = SpillFile.open(dir, 1 << 20)) {
            assertThat(spill.next(10).rows()).isEqualTo(rows("a", 3));
        }
    }

    @Test
    void theCapRefusesRowsThatDoNotFit() throws IOException {
        int lineBytes = (SpillCodec.encode(rows("a", 1).get(0)) + "\n").getBytes(UTF_8).length;
        try (SpillFile spill = SpillFile.open(dir, lineBytes * 2L + lineBytes / 2)) {
            assertThat(spill.append(rows("a", 3))).isEqualTo(2);
            assertThat(spill.append(rows("b", 1))).isZero();
            assertThat(spill.next(10).rows()).hasSize(2);
        }
    }

    @Test
    void aTornLastLineIsSkippedAsDamagedAndLaterRowsStillRead() throws IOException {
        try (SpillFile spill = SpillFile.open(dir, 1 << 20)) {
            spill.append(rows("a", 2));
        }
        String torn = SpillCodec.encode(rows("x", 1).get(0));
        Files.writeString(dir.resolve(SpillFile.NAME), torn.substring(0, torn.length() / 2), StandardOpenOption.APPEND);
        try (SpillFile spill = SpillFile.open(dir, 1 << 20)) {
            spill.append(rows("b", 1));
            SpillFile.Chunk chunk = spill.next(10);
            assertThat(chunk.rows()).extracting(SpendRow::requestId).containsExactly("a0", "a1", "b0");
            assertThat(chunk.damaged()).isEqualTo(1);
        }
    }

    @Test
    void oneFileServesOneLedger() throws IOException {
        try (SpillFile ignored = SpillFile.open(dir, 1 << 20)) {
            assertThatThrownBy(() -> SpillFile.open(dir, 1 << 20)).isInstanceOf(IOException.class)
                    .hasMessageContaining("another ledger");
        }
    }

    /** A line as the release before schema version 2 spilled it: no client id, tier or variant. */
    @Test
    void aRowSpilledByTheReleaseBeforeSchemaTwoStillReads() {
        String v1 = "{\"request_id\":\"req_old\",\"at_ms\":" + AT.toEpochMilli() + ",\"key\":\"k\",\"team\":\"t\",\"user\":null,"
                + "\"route\":\"chat\",\"model\":\"fast\",\"deployment\":\"fast/a\",\"provider\":\"openai\","
                + "\"input_tokens\":3,\"output_tokens\":4,\"cached_input_tokens\":0,\"cache_write_tokens\":0,"
                + "\"reasoning_tokens\":0,\"usage_reported\":true,\"cost_nanos\":700,\"cost_estimated\":false,"
                + "\"outcome\":\"success\",\"status\":200,\"cache_hit\":false,\"stream\":true,\"latency_ms\":12}";
        SpendRow row = SpillCodec.decode(v1);
        assertThat(row.requestId()).isEqualTo("req_old");
        assertThat(row.at()).isEqualTo(AT);
        assertThat(row.cost().nanos()).isEqualTo(700);
        assertThat(row.clientRequestId()).isNull();
        assertThat(row.tier()).isNull();
        assertThat(row.variant()).isNull();
        assertThat(SpillCodec.decode(SpillCodec.encode(row))).isEqualTo(row);
    }
}
