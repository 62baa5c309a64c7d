package dev.tollgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.testing.RunningGateway;
import dev.tollgate.server.testing.ScriptedUpstream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 corners on both sides of the proxy: pipelined requests, interim (1xx) upstream responses. */
class UpstreamEdgesTest {
    static final String ANSWER = "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    private static RunningGateway gatewayFor(ScriptedUpstream upstream) throws InterruptedException {
        return RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0, max_request_bytes: 1KiB }
                providers:
                  up: { type: openai, base_url: %s, timeouts: { first_byte: 2s, idle: 1s } }
                models:
                  m: { deployments: [ { provider: up } ] }
                """.formatted(upstream.baseUrl()), Map.of());
    }

    static void answer(OutputStream out, String interim) throws Exception {
        byte[] body = ANSWER.getBytes(StandardCharsets.UTF_8);
        out.write((interim + "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
                + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static int statusLines(String answer) {
        Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(answer);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void everyPipelinedRequestIsAnsweredWhenOneAfterAnExchangeNeedsNoUpstream() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            Thread.sleep(200);
            answer(out, "");
        }); var gateway = gatewayFor(upstream)) {
            String chat = Http.chat("m", false);
            String post = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + chat.length() + "\r\n\r\n" + chat;
            String models = "GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n";
            String answer = Http.raw(gateway.url("/").getPort(), post + models + models);
            assertThat(statusLines(answer)).as(answer).isEqualTo(3);
        }
    }

    @Test
    void aTooLargePipelinedRequestIsRefusedOnlyAfterTheAnswerBeforeIt() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            Thread.sleep(300);
            answer(out, "");
        }); var gateway = gatewayFor(upstream)) {
            String chat = Http.chat("m", false);
            String post = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: " + chat.length() + "\r\n\r\n" + chat;
            String tooLarge = "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                    + "content-length: 100000\r\n\r\n";
            String answer = Http.raw(gateway.url("/").getPort(), post + tooLarge);
            assertThat(answer).as(answer).startsWith("HTTP/1.1 200 OK").contains(ANSWER);
            assertThat(answer.indexOf("HTTP/1.1 413 ")).as(answer).isGreaterThan(answer.indexOf(ANSWER));
        }
    }

    @Test
    void anInterimResponseBeforeTheAnswerIsSkipped() throws Exception {
        try (var upstream = new ScriptedUpstream((out, socket) -> {
            // RFC 9110 15.2: a client must accept 1xx responses it did not ask for; here one arrives on its own.
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
            answer(out, "");
        });
             var gateway = gatewayFor(upstream)) {
            var r = Http.post(gateway.url("/v1/chat/completions"), Http.chat("m", false));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(ANSWER);
        }
    }
}
