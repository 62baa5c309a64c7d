package dev.tollgate.server.e2e;

import static dev.tollgate.server.testing.Compression.deflate;
import static dev.tollgate.server.testing.Compression.gzip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.testing.RunningGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bad-input rows of the reliability catalogue (B1-B3, B5, B6, B8, B11, B12; S12 for the admin port), each sent
 * through the real gateway, mostly over raw sockets since a well-behaved HTTP client cannot send them. The read
 * timeouts are short here so the slow-client tests take well under a second each.
 */
class SecurityEdgesTest {
    private static final String ADMIN_KEY = "admin-key-for-security-tests";
    private static final String CHAT = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = RunningGateway.start("""
                server:
                  listen: 127.0.0.1:0
                  admin_listen: 127.0.0.1:0
                  max_request_bytes: 64KiB
                  max_header_bytes: 8KiB
                  max_uri_bytes: 2KiB
                  max_headers: 30
                  request_header_timeout: 300ms
                  request_body_timeout: 300ms
                  idle_timeout: 1s
                  max_streams: 1
                admin: { keys: ["${env:ADMIN_KEY}"] }
                providers:
                  fast: { type: mock }
                  slow: { type: mock, mock: { latency: 1200ms } }
                models:
                  fast: { deployments: [ { provider: fast } ] }
                  slow: { deployments: [ { provider: slow } ] }
                """, Map.of("ADMIN_KEY", ADMIN_KEY));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static int proxyPort() {
        return gateway.url("/").getPort();
    }

    private static int adminPort() {
        return gateway.adminUrl("/").getPort();
    }

    /** The one answer to a refused request: the status, and nothing else answered on that connection. */
    private static void assertOnlyAnswer(String answer, int status) {
        assertThat(answer).startsWith("HTTP/1.1 " + status + " ");
        assertThat(answer.split("HTTP/1\\.1 ", -1)).hasSize(2);
        assertThat(answer.toLowerCase()).contains("connection: close");
    }

    // B1, B2: body size

    @Test
    void refusesAnOversizedBodyByContentLengthBeforeReadingIt() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "content-length: 11534336\r\n\r\n");
        assertOnlyAnswer(answer, 413);
        assertThat(answer).contains("request_too_large");
    }

    @Test
    void refusesAnOversizedBodyAnnouncedWithExpectContinueWithoutAskingForIt() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "content-length: 11534336\r\nexpect: 100-continue\r\n\r\n");
        assertOnlyAnswer(answer, 413);
        assertThat(answer).contains("request_too_large").doesNotContain("100 Continue");
    }

    @Test
    void answersAnExpectationItCannotMeetWith417AndCloses() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "content-length: 2\r\nexpect: 200-ok\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 417 ");
        assertThat(answer.split("HTTP/1\\.1 ", -1)).hasSize(2);
    }

    @Test
    void refusesAChunkedBodyOnceItGrowsPastTheLimit() throws Exception {
        try (var socket = socket(proxyPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((CHAT + "transfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("2000\r\n" + "a".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            try {
                for (int i = 0; i < 64; i++) { // 512 KiB offered against a 64 KiB limit
                    out.write(chunk);
                }
            } catch (IOException closedOnUs) {
                // the gateway stopped reading and closed: what is checked is what it answered first
            }
            String answer = readAll(socket);
            assertOnlyAnswer(answer, 413);
            assertThat(answer).contains("request_too_large");
        }
    }

    // B3: header count, header size, request line

    @Test
    void refusesTooManyHeaderFields() throws Exception {
        var head = new StringBuilder(CHAT);
        for (int i = 0; i < 40; i++) {
            head.append("x-h").append(i).append(": v\r\n");
        }
        String answer = Http.raw(proxyPort(), head + "content-length: 2\r\n\r\n{}");
        assertOnlyAnswer(answer, 431);
        assertThat(answer).contains("headers_too_large").contains("more than 30 header fields");
    }

    @Test
    void countsTrailerFieldsWithTheHeaderFields() throws Exception {
        var trailers = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            trailers.append("x-t").append(i).append(": v\r\n");
        }
        String answer = Http.raw(proxyPort(), CHAT + "transfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n"
                + trailers + "\r\n");
        assertOnlyAnswer(answer, 431);
        assertThat(answer).contains("headers_too_large").contains("more than 30 header fields");
    }

    @Test
    void refusesAnOversizedHeaderBlock() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "x-big: " + "a".repeat(9000) + "\r\ncontent-length: 2\r\n\r\n{}");
        assertOnlyAnswer(answer, 431);
    }

    @Test
    void refusesAnOverlongRequestLine() throws Exception {
        String answer = Http.raw(proxyPort(), "GET /v1/models?" + "q".repeat(3000) + " HTTP/1.1\r\nhost: x\r\n\r\n");
        assertOnlyAnswer(answer, 414);
        assertThat(answer).contains("uri_too_long");
    }

    // B5: smuggling shapes, each answered 400 and closed, the request hidden behind it never answered

    @ParameterizedTest
    @ValueSource(strings = {
            "content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
            "content-length: 4\r\ncontent-length: 40\r\n\r\n{}{}",
            "content-length: 4, 4\r\n\r\n{}{}",
            "transfer-encoding: gzip\r\n\r\n",
            "transfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "transfer-encoding: chunked\r\ntransfer-encoding: identity\r\n\r\n0\r\n\r\n",
            "transfer-encoding : chunked\r\n\r\n0\r\n\r\n",
            "content-length : 4\r\n\r\n{}{}"})
    void refusesSmugglingShapes(String framing) throws Exception {
        String smuggled = "GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n";
        String answer = Http.raw(proxyPort(), CHAT + framing + smuggled);
        assertOnlyAnswer(answer, 400);
        assertThat(answer).contains("invalid_request_error");
    }

    @Test
    void theAdminPortRefusesSmugglingShapesInItsOwnShape() throws Exception {
        String answer = Http.raw(adminPort(), "POST /admin/keys HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                + ADMIN_KEY + "\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n");
        assertOnlyAnswer(answer, 400);
        assertThat(answer).contains("{\"error\":{\"message\":").contains("\"status\":400")
                .contains("\"code\":\"malformed_request\"");
    }

    // B6: request body codings

    @Test
    void inflatesGzipAndDeflateBodies() throws Exception {
        byte[] chat = Http.chat("fast", false).getBytes(StandardCharsets.UTF_8);
        assertThat(postBytes(gzip(chat), "gzip").statusCode()).isEqualTo(200);
        assertThat(postBytes(deflate(chat), "deflate").statusCode()).isEqualTo(200);
        assertThat(postBytes(chat, "identity").statusCode()).isEqualTo(200);
    }

    @Test
    void refusesADecompressionBombOnceItPassesTheLimit() throws Exception {
        byte[] bomb = gzip(new byte[10 << 20]);
        assertThat(bomb.length).isLessThan(64 << 10);
        HttpResponse<String> answer = postBytes(bomb, "gzip");
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(Http.json(answer).at("/error/code").asText()).isEqualTo("request_too_large");
        assertThat(Http.json(answer).at("/error/message").asText()).contains("decompressed");
    }

    @Test
    void refusesABodyThatIsNotItsCoding() throws Exception {
        HttpResponse<String> answer = postBytes("{\"not\":\"gzip\"}".getBytes(StandardCharsets.UTF_8), "gzip");
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(Http.json(answer).at("/error/message").asText()).contains("gzip");
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "zstd", "compress", "x-unknown", "gzip, gzip", "gzip, br"})
    void refusesEveryOtherCodingWith415(String coding) throws Exception {
        HttpResponse<String> answer = postBytes(gzip(Http.chat("fast", false).getBytes(StandardCharsets.UTF_8)), coding);
        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(Http.json(answer).at("/error/code").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void refusesAHeadItWillNotServeWithoutAskingForItsBody() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "content-encoding: br\r\ncontent-length: 2\r\n"
                + "expect: 100-continue\r\n\r\n");
        assertOnlyAnswer(answer, 415);
        assertThat(answer).doesNotContain("100 Continue");
    }

    @Test
    void refusesCodingsStackedOverTwoHeaders() throws Exception {
        String answer = Http.raw(proxyPort(), CHAT + "content-encoding: gzip\r\ncontent-encoding: gzip\r\n"
                + "content-length: 2\r\n\r\n{}");
        assertOnlyAnswer(answer, 415);
    }

    // B8: nesting depth (the dialects' limit, reached through the gateway)

    @Test
    void refusesDeeplyNestedJson() throws Exception {
        String deep = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":"
                + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}";
        HttpResponse<String> answer = Http.post(gateway.url("/v1/chat/completions"), deep);
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(Http.json(answer).at("/error/code").asText()).isEqualTo("json_depth_exceeded");
    }

    // B11, B12: slow clients

    @Test
    void answers408ToHeadersDribbledTooSlowly() throws Exception {
        Slow slow = dribble(proxyPort(), "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n", "x-a: b\r\n");
        assertOnlyAnswer(slow.answer, 408);
        assertThat(slow.answer).contains("request_timeout").contains("headers");
        assertThat(slow.millis).isBetween(250L, 2500L);
    }

    @Test
    void answers408ToABodyDribbledTooSlowlyInTheClientsDialect() throws Exception {
        Slow slow = dribble(proxyPort(), "POST /v1/messages HTTP/1.1\r\nhost: x\r\nanthropic-version: 2023-06-01\r\n"
                + "content-type: application/json\r\ncontent-length: 1000\r\n\r\n{", " ");
        assertOnlyAnswer(slow.answer, 408);
        assertThat(slow.answer).contains("\"type\":\"error\"").contains("body");
        assertThat(slow.millis).isBetween(250L, 2500L);
    }

    @Test
    void theAdminPortTimesOutSlowHeadersInItsOwnShape() throws Exception {
        Slow slow = dribble(adminPort(), "GET /metrics HTTP/1.1\r\nhost: x\r\n", "x-a: b\r\n");
        assertOnlyAnswer(slow.answer, 408);
        assertThat(slow.answer).contains("\"status\":408").contains("\"code\":\"request_timeout\"");
    }

    @Test
    void closesAnIdleConnectionWithoutAnAnswer() throws Exception {
        try (var socket = socket(proxyPort())) {
            long start = System.nanoTime();
            assertThat(readAll(socket)).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(800L, 4000L);
        }
        try (var socket = socket(proxyPort())) {
            assertThat(exchange(socket)).startsWith("HTTP/1.1 200");
            long answered = System.nanoTime();
            readAll(socket); // the rest of the answer, then the close once idle again
            assertThat((System.nanoTime() - answered) / 1_000_000).as("idle again after an answer")
                    .isBetween(800L, 4000L);
        }
    }

    @Test
    void neverTimesOutARequestWhileItIsAnswered() throws Exception {
        // The upstream takes longer than every read timeout and the idle timeout: none of them may cut it.
        HttpResponse<String> answer = Http.post(gateway.url("/v1/chat/completions"), Http.chat("slow", true));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("data: [DONE]");
    }

    @Test
    void timesAPipelinedRequestOnlyOnceTheOneBeforeItIsAnswered() throws Exception {
        String stream = Http.chat("slow", true);
        try (var socket = socket(proxyPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((CHAT + "content-length: " + stream.length() + "\r\n\r\n" + stream)
                    .getBytes(StandardCharsets.ISO_8859_1));
            Thread.sleep(100);
            out.write("GET /v1/models HTTP/1.1\r\nhost: x\r\n".getBytes(StandardCharsets.ISO_8859_1)); // never ends
            String answers = readAll(socket);
            assertThat(answers).startsWith("HTTP/1.1 200 ");
            int done = answers.indexOf("data: [DONE]");
            assertThat(done).as("the stream ran to its end").isPositive();
            assertThat(answers.indexOf("HTTP/1.1 408 ")).as("then the half-sent request timed out").isGreaterThan(done);
        }
    }

    // Connection and stream caps

    @Test
    void refusesAStreamPastTheCapWith503AndRetryAfter() throws Exception {
        CompletableFuture<HttpResponse<String>> holding = CLIENT.sendAsync(chatRequest(Http.chat("slow", true)),
                HttpResponse.BodyHandlers.ofString());
        boolean held = false;
        for (int i = 0; i < 200 && !held; i++) { // until the slow stream holds the one slot
            held = Http.get(gateway.adminUrl("/metrics")).body().contains("tollgate_inflight_streams 1.0");
            Thread.sleep(held ? 0 : 5);
        }
        assertThat(held).isTrue();
        HttpResponse<String> refused = Http.post(gateway.url("/v1/chat/completions"), Http.chat("fast", true));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(Http.json(refused).at("/error/code").asText()).isEqualTo("gateway_overloaded");
        assertThat(Http.post(gateway.url("/v1/chat/completions"), Http.chat("fast", false)).statusCode())
                .as("requests that do not stream are not capped").isEqualTo(200);
        assertThat(holding.get().statusCode()).isEqualTo(200);
        assertThat(Http.post(gateway.url("/v1/chat/completions"), Http.chat("fast", true)).statusCode())
                .as("the slot is given back").isEqualTo(200);
    }

    @Test
    void closesConnectionsPastTheCapAtAccept() throws Exception {
        try (var capped = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, max_connections: 3 }
                providers: { fast: { type: mock } }
                models: { fast: { deployments: [ { provider: fast } ] } }
                """, Map.of())) {
            int port = capped.url("/").getPort();
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket s = socket(port);
                    open.add(s);
                    assertThat(exchange(s)).startsWith("HTTP/1.1 200"); // admitted, and counted before the next
                }
                try (Socket fourth = socket(port)) {
                    assertThat(readAll(fourth)).as("closed at accept, unanswered").isEmpty();
                }
                assertThat(exchange(open.get(0))).as("the admitted keep working").startsWith("HTTP/1.1 200");
                open.remove(0).close();
                String answer = "";
                for (int i = 0; i < 40 && !answer.startsWith("HTTP/1.1 200"); i++) { // once the close is seen
                    Thread.sleep(25);
                    try (Socket again = socket(port)) {
                        answer = exchange(again);
                    } catch (IOException refused) {
                        answer = "";
                    }
                }
                assertThat(answer).as("a freed place is taken again").startsWith("HTTP/1.1 200");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    // S12: path tricks on the admin port, without credentials

    @ParameterizedTest
    @ValueSource(strings = {"/admin/keys", "/admin/../admin/keys", "//admin/keys", "/ADMIN/keys",
            "/admin/%2e%2e/admin/keys", "/%2e%2e/admin/keys", "/admin/keys;x", "/admin/keys%2f", "/admin/./keys",
            "/admin//keys", "/metrics/../admin/keys"})
    void adminPathTricksNeverServeWithoutCredentials(String path) throws Exception {
        String answer = Http.raw(adminPort(), "GET " + path + " HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
        assertThat(answer).matches("(?s)HTTP/1\\.1 (401|404) .*");
        assertThat(answer).doesNotContain("\"data\"");
    }

    // helpers

    private static Socket socket(int port) throws IOException {
        var socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Everything the server sends until it closes (or five quiet seconds pass). */
    private static String readAll(Socket socket) throws IOException {
        var out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset after the answer: the answer is what is checked
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One keep-alive model list on {@code socket}: its status line and headers, the body left unread. */
    private static String exchange(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        byte[] buf = new byte[4096];
        int n = socket.getInputStream().read(buf);
        return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private record Slow(String answer, long millis) {}

    /** Sends {@code head}, then {@code drop} every 100 ms until the gateway answers and closes. */
    private static Slow dribble(int port, String head, String drop) throws Exception {
        try (var socket = socket(port)) {
            long start = System.nanoTime();
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            Thread dribbler = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Thread.sleep(100);
                        socket.getOutputStream().write(drop.getBytes(StandardCharsets.ISO_8859_1));
                    }
                } catch (IOException | InterruptedException stopped) {
                    // closed by the gateway or by the test
                }
            });
            String answer = readAll(socket);
            long millis = (System.nanoTime() - start) / 1_000_000;
            dribbler.interrupt();
            return new Slow(answer, millis);
        }
    }

    private static HttpRequest chatRequest(String body) {
        return HttpRequest.newBuilder(gateway.url("/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> postBytes(byte[] body, String coding) throws Exception {
        URI uri = gateway.url("/v1/chat/completions");
        return CLIENT.send(HttpRequest.newBuilder(uri)
                .header("content-type", "application/json")
                .header("content-encoding", coding)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
