package dev.tollgate.server.e2e;

import static dev.tollgate.server.testing.ScriptedUpstream.chunk;
import static dev.tollgate.server.testing.ScriptedUpstream.lastChunk;
import static dev.tollgate.server.testing.ScriptedUpstream.streamHead;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Upstream streams that break at the byte level, and clients that leave mid-stream. */
class StreamFaultsTest {
    private static final String DELTA = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}\n\n";

    private static RunningGateway gatewayFor(ScriptedUpstream upstream) throws InterruptedException {
        return RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                providers:
                  up: { type: openai, base_url: %s, timeouts: { first_byte: 2s, idle: 1s } }
                models:
                  m: { deployments: [ { provider: up } ] }
                """.formatted(upstream.baseUrl()), Map.of());
    }

    private static void consume(RunningGateway gateway) {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("k").maxRetries(0).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("m").addUserMessage("hi").build())) {
            stream.stream().forEach(c -> { });
        } finally {
            client.close();
        }
    }

    @Test
    void aResetMidStreamIsAnErrorForTheSdkNeverATruncatedSuccess() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, DELTA.formatted("Hello"));
            chunk(out, DELTA.formatted(" wor"));
            ScriptedUpstream.reset(socket);
        }); var gateway = gatewayFor(upstream)) {
            assertThatThrownBy(() -> consume(gateway)).isInstanceOf(OpenAIException.class);
        }
    }

    @Test
    void aStreamThatEndsWithoutDoneIsAnError() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, DELTA.formatted("Hello"));
            lastChunk(out);
        }); var gateway = gatewayFor(upstream)) {
            assertThatThrownBy(() -> consume(gateway)).isInstanceOf(OpenAIException.class);
        }
    }

    @Test
    void anUpstreamThatGoesQuietMidStreamTimesOutInBand() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, DELTA.formatted("Hello"));
            Thread.sleep(20_000);
        }); var gateway = gatewayFor(upstream)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> consume(gateway)).isInstanceOf(OpenAIException.class);
            // Cut by the 1 s idle timeout, long before the upstream would have ended it. The margin is wide: on a
            // busy machine the SDK's own start-up takes seconds of this.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
        }
    }

    @Test
    void anErrorEventBeforeAnyContentBecomesAnErrorResponse() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n");
            lastChunk(out);
        }); var gateway = gatewayFor(upstream)) {
            var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("m", true));
            assertThat(r.statusCode()).isGreaterThanOrEqualTo(500);
            assertThat(Http.json(r).get("error").get("message").asText()).isNotBlank();
        }
    }

    @Test
    void aClientThatLeavesMidStreamClosesTheUpstreamWithinASecond() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            chunk(out, DELTA.formatted("Hello"));
            for (int i = 0; i < 100; i++) {
                Thread.sleep(100);
                chunk(out, DELTA.formatted("more"));
            }
        }); var gateway = gatewayFor(upstream)) {
            try (var client = new Socket(InetAddress.getLoopbackAddress(), gateway.url("/").getPort())) {
                String body = Http.chat("m", true);
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                        + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                InputStream in = client.getInputStream();
                byte[] buf = new byte[4096];
                String seen = "";
                while (!seen.contains("Hello")) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    seen += new String(buf, 0, n, StandardCharsets.UTF_8);
                }
                assertThat(seen).startsWith("HTTP/1.1 200");
            }
            long closed = System.nanoTime();
            assertThat(upstream.awaitHangUp(1000)).as("upstream closed within 1 s").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).isLessThan(1000);
            Thread.sleep(200);
            assertThat(gateway.logs()).contains("\"outcome\":\"client_cancelled\"");
        }
    }

    @Test
    void aClientThatReadsSlowlyPausesTheUpstreamInsteadOfBufferingIt() throws Exception {
        var written = new AtomicLong();
        String batch = DELTA.formatted("x".repeat(1000)).repeat(64);
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            for (int i = 0; i < 1000; i++) { // about 70 MB, far more than every buffer on the way holds
                chunk(out, batch);
                written.addAndGet(batch.length());
            }
        }); var gateway = gatewayFor(upstream)) {
            try (var client = new Socket()) {
                client.setReceiveBufferSize(64 << 10);
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.url("/").getPort()));
                String body = Http.chat("m", true);
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                        + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(client.getInputStream().read(new byte[16])).isPositive();
                Thread.sleep(2000); // longer than the idle timeout: pausing for a slow client is not upstream silence
                long stalled = written.get();
                // Only socket buffers (which the kernel grows on its own) hold the difference; without
                // backpressure the gateway would have read all 70 MB by now.
                assertThat(stalled).as("bytes the upstream got rid of").isLessThan(32L << 20);
                byte[] buf = new byte[1 << 16];
                long read = 0;
                while (read < (8L << 20)) { // reading resumes the relay
                    int n = client.getInputStream().read(buf);
                    assertThat(n).isPositive();
                    read += n;
                }
                assertThat(written.get()).isGreaterThan(stalled);
            }
        }
    }

    @Test
    void aStreamQuietBeforeItsFirstTokenIsKeptAliveForProxiesInBetween() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            streamHead(out);
            Thread.sleep(2500); // a reasoning model thinking, longer than the keep-alive interval
            chunk(out, DELTA.formatted("Hello"));
            chunk(out, "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
            lastChunk(out);
        }); var gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, stream_keep_alive: 1s }
                providers:
                  up: { type: openai, base_url: %s, timeouts: { first_byte: 5s, idle: 5s } }
                models:
                  m: { deployments: [ { provider: up } ] }
                """.formatted(upstream.baseUrl()), Map.of())) {
            try (var client = new Socket(InetAddress.getLoopbackAddress(), gateway.url("/").getPort())) {
                String body = Http.chat("m", true);
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
                        + "content-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                client.setSoTimeout(2000);
                long start = System.nanoTime();
                InputStream in = client.getInputStream();
                byte[] buf = new byte[4096];
                String seen = "";
                while (!seen.contains(": keep-alive")) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    seen += new String(buf, 0, n, StandardCharsets.UTF_8);
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
                assertThat(seen).startsWith("HTTP/1.1 200").doesNotContain("Hello");
                client.setSoTimeout(5000);
                while (!seen.contains("[DONE]")) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    seen += new String(buf, 0, n, StandardCharsets.UTF_8);
                }
                assertThat(seen).contains("Hello");
            }
        }
    }
}
