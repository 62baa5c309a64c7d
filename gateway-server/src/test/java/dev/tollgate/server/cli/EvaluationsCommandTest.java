package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.server.store.JdbcLedger;
import dev.tollgate.server.store.LedgerListener;
import dev.tollgate.server.testing.EvaluationResults;
import dev.tollgate.server.testing.RunningGateway;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate evaluations list|export} against a real gateway whose ledger already holds evaluation results,
 * and the routes behind them on the wire: a viewer may read, a bad filter is a JSON 400, the export streams.
 */
class EvaluationsCommandTest {
    private static final String ADMIN = "admin-key-for-evaluations-cli";
    private static final String VIEWER = "viewer-key-for-evaluations-cli";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Within the listings' default 30 days. */
    private static final Instant NOW = Instant.now().minusSeconds(3600);

    @TempDir
    Path dir;

    /** A gateway over a ledger holding {@code results}, written before it starts. */
    private RunningGateway start(List<EvaluationResult> results) throws Exception {
        Path ledger = dir.resolve("ledger.db");
        try (var store = JdbcLedger.open("sqlite:" + ledger, dir.resolve("prefill-spill"), 1 << 20,
                LedgerListener.NONE)) {
            store.evaluations().saveEvaluations(results);
        }
        return RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin:
                  keys:
                    - "%s"
                    - { hash: "%s", role: viewer }
                providers:
                  mock: { type: mock }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                """.formatted(ledger, KeyHash.of(ADMIN), KeyHash.of(VIEWER)), Map.of());
    }

    @Test
    void listPrintsATableFilteredAsAskedAndExportPrintsJsonLines() throws Exception {
        List<EvaluationResult> results = new ArrayList<>();
        results.add(EvaluationResults.scored("req-low", NOW, "faithfulness", "fast", 0.25));
        results.add(EvaluationResults.scored("req-high", NOW.plusSeconds(1), "faithfulness", "fast", 1.0));
        results.add(EvaluationResults.unparseable("req-none", NOW.plusSeconds(2), "toxicity", "other"));
        for (int i = 0; i < 450; i++) { // more than an export reads at once
            results.add(EvaluationResults.scored("bulk-" + i, NOW.minusSeconds(60).plusMillis(i / 4), "bulk", "fast",
                    0.5));
        }
        try (var gateway = start(results)) {
            var viewer = CliRun.env(gateway, VIEWER);
            CliRun list = CliRun.run(viewer, "evaluations", "list", "--evaluator", "faithfulness");
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("EVALUATOR").contains("RATIONALE").contains("client-req-low")
                    .contains("0.25").contains("yes").contains("$0.0000015").contains("reason for req-low")
                    .doesNotContain("req-none").doesNotContain("more:");
            assertThat(list.out().indexOf("client-req-high")).isLessThan(list.out().indexOf("client-req-low"));

            CliRun flagged = CliRun.run(viewer, "evaluations", "list", "--flagged", "--model", "fast");
            assertThat(flagged.out()).contains("client-req-low").doesNotContain("client-req-high")
                    .doesNotContain("bulk-");
            CliRun scores = CliRun.run(viewer, "evaluations", "list", "--min-score", "0.9", "--max-score", "1");
            assertThat(scores.out()).contains("client-req-high").doesNotContain("client-req-low");
            CliRun paged = CliRun.run(viewer, "evaluations", "list", "--limit", "2");
            // A full page gives back its last millisecond's results to the next page, so none is ever skipped.
            assertThat(paged.out()).contains(" req-none ").doesNotContain("client-req-low").contains("more: --before ");
            CliRun json = CliRun.run(viewer, "evaluations", "list", "--evaluator", "toxicity", "--json");
            JsonNode none = JSON.readTree(json.out()).path("evaluations").get(0);
            assertThat(none.path("outcome").asText()).isEqualTo("unparseable");
            assertThat(none.path("score").isNull()).isTrue();

            CliRun export = CliRun.run(viewer, "evaluations", "export", "--model", "fast");
            assertThat(export.code()).isZero();
            assertThat(export.err()).isEmpty();
            String[] lines = export.out().split("\n");
            assertThat(lines).hasSize(452);
            List<String> ids = new ArrayList<>();
            for (String line : lines) {
                ids.add(JSON.readTree(line).path("spend_id").asText());
            }
            assertThat(ids).doesNotHaveDuplicates().startsWith("req-high", "req-low");

            CliRun.run(viewer, "evaluations", "list", "--min-score", "2")
                    .assertRefused("'min_score' must be a number from 0 to 1.");
            CliRun.run(viewer, "evaluations", "export", "--outcome", "fine").assertRefused("'outcome' must be one of");
            assertThat(CliRun.run(viewer, "evaluations", "purge").code()).isEqualTo(AdminCommands.BAD_USAGE);
        }
    }

    @Test
    void theRoutesOnTheWire() throws Exception {
        try (var gateway = start(List.of(EvaluationResults.scored("r1", NOW, "faithfulness", "fast", 0.75)))) {
            HttpResponse<String> export = send(gateway, "GET", "/admin/evaluations/export", VIEWER);
            assertThat(export.statusCode()).isEqualTo(200);
            assertThat(export.headers().firstValue("content-type")).hasValue("application/x-ndjson");
            assertThat(export.headers().firstValue("transfer-encoding")).hasValue("chunked");
            assertThat(JSON.readTree(export.body()).path("score").asDouble()).isEqualTo(0.75);
            assertThat(export.body()).endsWith("}\n");

            HttpResponse<String> bad = send(gateway, "GET", "/admin/evaluations?limit=0", VIEWER);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).at("/error/message").asText())
                    .isEqualTo("'limit' must be a whole number from 1 to 1000.");
            HttpResponse<String> unknown = send(gateway, "GET", "/admin/evaluations/export?limit=5", VIEWER);
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("Unknown query parameter 'limit'");

            // A bias run spends money: a viewer may not start one; without a bias evaluator an admin learns why not.
            assertThat(send(gateway, "POST", "/admin/evaluations/bias/run", VIEWER).statusCode()).isEqualTo(403);
            HttpResponse<String> off = send(gateway, "POST", "/admin/evaluations/bias/run", ADMIN);
            assertThat(off.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(off.body()).at("/error/message").asText())
                    .isEqualTo("No bias evaluator to run: configure one under evaluation.evaluators (type: bias).");
        }
    }

    /**
     * HTTP/1.0 has no chunked coding: an export to such a client is its plain body, ended by closing the
     * connection; an HTTP/1.1 connection serves its next request after a chunked export.
     */
    @Test
    void anExportSuitsTheClientsHttpVersion() throws Exception {
        List<EvaluationResult> results = new ArrayList<>();
        for (int i = 0; i < 250; i++) { // more than an export reads at once: the body comes in several pieces
            results.add(EvaluationResults.scored("old-" + i, NOW.minusMillis(i), "faithfulness", "fast", 0.5));
        }
        try (var gateway = start(results)) {
            String old = raw(gateway, "GET /admin/evaluations/export HTTP/1.0\r\nAuthorization: Bearer " + VIEWER
                    + "\r\n\r\n");
            String head = old.substring(0, old.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
            assertThat(head).startsWith("http/1.1 200").doesNotContain("transfer-encoding")
                    .contains("connection: close");
            String[] lines = old.substring(old.indexOf("\r\n\r\n") + 4).split("\n");
            assertThat(lines).hasSize(250);
            for (String line : lines) {
                assertThat(JSON.readTree(line).path("evaluator").asText()).isEqualTo("faithfulness");
            }

            // Two requests on one HTTP/1.1 connection: the chunked export, then a listing after it.
            String both = raw(gateway, "GET /admin/evaluations/export?model=fast HTTP/1.1\r\nHost: t\r\n"
                    + "Authorization: Bearer " + VIEWER + "\r\n\r\n", "GET /admin/evaluations?limit=1 HTTP/1.1\r\n"
                    + "Host: t\r\nConnection: close\r\nAuthorization: Bearer " + VIEWER + "\r\n\r\n");
            assertThat(both.split("HTTP/1.1 200 OK", -1)).hasSize(3);
            JsonNode listing = JSON.readTree(both.substring(both.lastIndexOf("\r\n\r\n") + 4));
            assertThat(listing.path("evaluations").get(0).path("spend_id").asText()).isEqualTo("old-0");
            assertThat(both.substring(0, both.lastIndexOf("HTTP/1.1 200 OK"))).endsWith("\r\n0\r\n\r\n");
        }
    }

    /**
     * Requests pipelined behind a streamed export wait for its last chunk: answered in order, and never written into
     * the middle of its body (the quick health check would otherwise be answered while the export is read).
     */
    @Test
    void pipelinedRequestsAreAnsweredInOrderAfterAStreamedExport() throws Exception {
        List<EvaluationResult> results = new ArrayList<>();
        for (int i = 0; i < 450; i++) { // several pages: the export streams for a while
            results.add(EvaluationResults.scored("piped-" + i, NOW.minusMillis(i), "faithfulness", "fast", 0.5));
        }
        try (var gateway = start(results)) {
            String all = raw(gateway, "GET /admin/evaluations/export HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                    + VIEWER + "\r\n\r\n" + "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /admin/evaluations?limit=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + VIEWER + "\r\n\r\n");
            String[] answers = all.split("HTTP/1\\.1 200 OK\r\n", -1);
            assertThat(answers).hasSize(4);
            assertThat(answers[1]).contains("application/x-ndjson").endsWith("\r\n0\r\n\r\n")
                    .doesNotContain("\"status\":\"ok\"");
            assertThat(answers[1].split("\"evaluator\":\"faithfulness\"", -1)).hasSize(451);
            assertThat(answers[2]).endsWith("{\"status\":\"ok\"}");
            assertThat(answers[3]).contains("\"spend_id\":\"piped-0\"");
        }
    }

    /**
     * Sends each request once the answer to the one before has ended (a chunked body's last chunk, or else the
     * connection's close), and returns everything read until the gateway closes the connection.
     */
    private static String raw(RunningGateway gateway, String... requests) throws Exception {
        try (var socket = new Socket("127.0.0.1", gateway.adminUrl("").getPort())) {
            socket.setSoTimeout(20_000);
            var read = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < requests.length; i++) {
                socket.getOutputStream().write(requests[i].getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    read.write(buffer, 0, n);
                    if (i < requests.length - 1 && read.toString(StandardCharsets.UTF_8).endsWith("\r\n0\r\n\r\n")) {
                        break;
                    }
                }
            }
            return read.toString(StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> send(RunningGateway gateway, String method, String path, String key)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.adminUrl(path)).timeout(Duration.ofSeconds(20))
                .header("authorization", "Bearer " + key).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
