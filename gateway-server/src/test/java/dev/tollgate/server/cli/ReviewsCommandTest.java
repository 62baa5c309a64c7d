package dev.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate reviews list|export} against a real gateway that samples every chat request. */
class ReviewsCommandTest {
    private static final String ADMIN = "admin-key-for-reviews-cli";
    private static final String KEY = "tg-reviews-cli-app";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** A gateway that samples every request for review, with the admin key and one virtual key. */
    private RunningGateway start() throws InterruptedException {
        return RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%s" }
                admin: { keys: ["%s"] }
                providers:
                  mock: { type: mock, mock: { answer_words: 5 } }
                keys:
                  - { name: app, hash: "%s" }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                review: { sample_rate: 1 }
                """.formatted(dir.resolve("ledger.db"), KeyHash.of(ADMIN), KeyHash.of(KEY)), Map.of());
    }

    @Test
    void listShowsExcerptsWithTheScoreAndExportPrintsJsonLines() throws Exception {
        try (var gateway = start()) {
            var env = CliRun.env(gateway, ADMIN);
            HttpResponse<String> chat = post(gateway, "/v1/chat/completions", "{\"model\":\"fast\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"my ssn is 123-45-6789\"}]}");
            String id = chat.headers().firstValue("x-request-id").orElseThrow();
            assertThat(post(gateway, "/v1/feedback", "{\"request_id\":\"" + id + "\",\"score\":\"up\"}")
                    .statusCode()).isEqualTo(200);

            CliRun list = listingOf(env, id, "--model", "fast");
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains("REQUEST").contains(id).contains("user: my ssn is [US_SSN]")
                    .contains(" up ").doesNotContain("6789");

            CliRun export = CliRun.run(env, "reviews", "export", "--key", "app");
            assertThat(export.code()).isZero();
            String[] lines = export.out().split("\n");
            assertThat(lines).hasSize(1);
            assertThat(new ObjectMapper().readTree(lines[0]).at("/feedback/score").asText()).isEqualTo("up");

            CliRun.run(env, "reviews", "list", "--limit", "5000")
                    .assertRefused("'limit' must be a whole number from 1 to 1000.");
            assertThat(CliRun.run(env, "reviews", "purge").code()).isEqualTo(AdminCommands.BAD_USAGE);
        }
    }

    @Test
    void anExcerptIsNeverCutInsideASurrogatePair() throws Exception {
        try (var gateway = start()) {
            var env = CliRun.env(gateway, ADMIN);
            // "user: " and 50 x: the 57th character, the last an excerpt keeps, is the first half of an emoji.
            String id = post(gateway, "/v1/chat/completions", "{\"model\":\"fast\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"" + "x".repeat(50) + "\uD83D\uDE00".repeat(5) + "\"}]}")
                    .headers().firstValue("x-request-id").orElseThrow();
            assertThat(listingOf(env, id).out()).contains("user: " + "x".repeat(50) + "...");
        }
    }

    /**
     * {@code tollgate reviews list} with {@code filters}, run until it shows request {@code id} (samples are written
     * off the request path) or for five seconds; the last run.
     */
    private static CliRun listingOf(Map<String, String> env, String id, String... filters)
            throws InterruptedException {
        var args = new ArrayList<>(List.of("reviews", "list"));
        args.addAll(List.of(filters));
        CliRun list = null;
        for (int i = 0; i < 100; i++) {
            list = CliRun.run(env, args.toArray(String[]::new));
            if (list.out().contains(id)) {
                break;
            }
            Thread.sleep(50);
        }
        return list;
    }

    private static HttpResponse<String> post(RunningGateway gateway, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.url(path)).timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json").header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
