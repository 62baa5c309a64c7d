package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two replicas sharing the machine's PostgreSQL: feedback taken by one on a request the other answered, and the
 * rows it leaves (feedback, a review sample), read straight from the database.
 */
@Timeout(60)
class PostgresQualityTest {
    private static final String KEY = "tg-pg-quality";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestPostgres postgres;

    @BeforeEach
    void schema() throws Exception {
        postgres = new TestPostgres();
        postgres.reset();
    }

    @AfterEach
    void drop() throws Exception {
        postgres.close();
    }

    private String config() {
        return """
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "%s" }
                providers:
                  mock: { type: mock, mock: { answer_words: 4 } }
                keys:
                  - { name: app, hash: "%s" }
                models:
                  fast: { deployments: [ { provider: mock, model: mock-1 } ] }
                review: { sample_rate: 1 }
                """.formatted(postgres.target(TestPostgres.PORT), KeyHash.of(KEY));
    }

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aReplicaTakesFeedbackOnARequestAnotherAnsweredAndTheRowsAreInPostgres() throws Exception {
        try (var a = RunningGateway.start(config(), Map.of()); var b = RunningGateway.start(config(), Map.of())) {
            HttpResponse<String> chat = post(a.url("/v1/chat/completions"), "{\"model\":\"fast\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"call me on (415) 555-2671\"}]}");
            assertThat(chat.statusCode()).isEqualTo(200);
            String id = chat.headers().firstValue("x-request-id").orElseThrow();

            // b never saw the request: it finds it once a's ledger writer has put the row in the shared database.
            HttpResponse<String> rated = null;
            for (int i = 0; i < 100; i++) {
                rated = post(b.url("/v1/feedback"), "{\"request_id\":\"" + id + "\",\"score\":\"up\",\"comment\":\"ok\"}");
                if (rated.statusCode() != 404) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(rated.statusCode()).isEqualTo(200);

            try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + TestPostgres.HOST + ":"
                    + TestPostgres.PORT + "/test?currentSchema=" + postgres.schema(), "postgres", "");
                    Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT request_id, key_name, model, score, score_value, comment "
                        + "FROM feedback")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(id);
                    assertThat(rs.getString(2)).isEqualTo("app");
                    assertThat(rs.getString(3)).isEqualTo("fast");
                    assertThat(rs.getString(4)).isEqualTo("up");
                    assertThat(rs.getDouble(5)).isEqualTo(1.0);
                    assertThat(rs.getString(6)).isEqualTo("ok");
                    assertThat(rs.next()).isFalse();
                }
                String prompt = null;
                for (int i = 0; i < 100 && prompt == null; i++) {
                    try (ResultSet rs = s.executeQuery("SELECT prompt FROM review_samples WHERE request_id = '"
                            + id + "'")) {
                        prompt = rs.next() ? rs.getString(1) : null;
                    }
                    Thread.sleep(prompt == null ? 50 : 0);
                }
                assertThat(prompt).isEqualTo("user: call me on [PHONE]\n");
            }
        }
    }
}
