package dev.tollgate.server.eval;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.server.access.InternalKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopbackClientTest {
    private final WireMockServer gateway = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final InternalKey key = InternalKey.generate(new SecureRandom(), Instant.now());
    private LoopbackClient client;

    @BeforeEach
    void start() {
        gateway.start();
        client = new LoopbackClient("127.0.0.1", gateway.port(), key, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        client.close();
        gateway.stop();
    }

    private static ChatRequest asked(double temperature) {
        return new ChatRequest("whatever-the-client-named", List.of(Message.text(Role.USER, "hi")),
                new Sampling(temperature, null, 50, List.of(), null, null, null, null), List.of(), null, null, true,
                true, null, Map.of(), OpenAiDialect.ID);
    }

    @Test
    void aChatCallPresentsTheInternalKeyAndReadsTheAnswerAndItsCost() throws Exception {
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withHeader("x-tollgate-cost-usd", "0.000125")
                .withBody("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},"
                        + "\"finish_reason\":\"stop\"}]}")));
        LoopbackClient.Reply reply = client.chat("gpt-4o", asked(0.7), LoopbackClient.callId("req_1", 2), true);
        assertThat(reply.text()).isEqualTo("hello");
        assertThat(reply.finishReason()).isEqualTo("stop");
        assertThat(reply.cost()).isEqualTo(Money.ofUsd("0.000125"));
        gateway.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("authorization", equalTo(key.authorization()))
                .withHeader("x-request-id", equalTo("eval-2-req_1"))
                .withHeader("cache-control", equalTo("no-cache, no-store"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-4o")))
                .withRequestBody(matchingJsonPath("$.temperature", equalTo("0.7")))
                .withRequestBody(notMatching(".*\"stream\".*")));
    }

    @Test
    void aCachedCallMaySendNoCacheControlAndAMissingCostIsZero() throws Exception {
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withBody("{\"choices\":[{\"message\":{\"content\":null},\"finish_reason\":\"content_filter\"}]}")));
        LoopbackClient.Reply reply = client.chat("judge", asked(0), "eval-1-x", false);
        assertThat(reply.text()).isEmpty();
        assertThat(reply.finishReason()).isEqualTo("content_filter");
        assertThat(reply.cost()).isEqualTo(Money.ZERO);
        gateway.verify(postRequestedFor(urlEqualTo("/v1/chat/completions")).withoutHeader("cache-control"));
    }

    @Test
    void anErrorAnswerFailsWithItsStatusAndErrorCode() {
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(429)
                .withBody("{\"error\":{\"message\":\"over\",\"type\":\"x\",\"code\":\"budget_exceeded\"}}")));
        assertThatThrownBy(() -> client.chat("judge", asked(0), "eval-1-x", false))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class,
                        e -> assertThat(e.detail()).isEqualTo("status 429 budget_exceeded"));
        gateway.stubFor(post(urlEqualTo("/v1/embeddings")).willReturn(aResponse().withStatus(502).withBody("<html>")));
        assertThatThrownBy(() -> client.embeddings("embed", List.of("a"), "eval-1-x"))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class,
                        e -> assertThat(e.detail()).isEqualTo("status 502"));
    }

    @Test
    void embeddingsComeBackInInputOrderWithTheirCost() throws Exception {
        gateway.stubFor(post(urlEqualTo("/v1/embeddings")).willReturn(aResponse().withStatus(200)
                .withHeader("x-tollgate-cost-usd", "0.00001")
                .withBody("{\"data\":[{\"index\":0,\"embedding\":[1.0,0.0]},{\"index\":1,\"embedding\":[0.5,0.25]}]}")));
        LoopbackClient.Vectors vectors = client.embeddings("embed", List.of("first", "second"), "eval-3-x");
        assertThat(vectors.vectors()).hasSize(2);
        assertThat(vectors.vectors().get(1)).containsExactly(0.5f, 0.25f);
        assertThat(vectors.cost()).isEqualTo(Money.ofUsd("0.00001"));
        gateway.verify(postRequestedFor(urlEqualTo("/v1/embeddings"))
                .withRequestBody(matchingJsonPath("$.input[1]", equalTo("second"))));
        gateway.stubFor(post(urlEqualTo("/v1/embeddings")).willReturn(aResponse().withStatus(200)
                .withBody("{\"data\":[{\"embedding\":[1.0]}]}")));
        assertThatThrownBy(() -> client.embeddings("embed", List.of("a", "b"), "eval-3-x"))
                .isInstanceOf(LoopbackClient.CallFailed.class);
    }

    /** A misbehaving upstream's huge answer is cut at the cap, not read into the gateway's memory. */
    @Test
    void aBodyOverTheCapFailsTheCallInsteadOfBeingRead() {
        String pad = "x".repeat(LoopbackClient.MAX_BODY);
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withBody("{\"choices\":[{\"message\":{\"content\":\"ok\"}}],\"pad\":\"" + pad + "\"}")));
        assertThatThrownBy(() -> client.chat("judge", asked(0), "eval-1-x", false))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class, e -> assertThat(e.detail())
                        .isEqualTo("status 200 body over " + LoopbackClient.MAX_BODY + " bytes"));
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(500)
                .withBody(pad + pad)));
        assertThatThrownBy(() -> client.chat("judge", asked(0), "eval-1-x", false))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class, e -> assertThat(e.detail())
                        .isEqualTo("status 500 body over " + LoopbackClient.MAX_BODY + " bytes"));
    }

    /** The timeout covers the body too: one that trickles in cannot hold a worker past it any more than a hang. */
    @Test
    void aCallThatHangsOrTricklesFailsAtItsTimeout() {
        var hangs = aResponse().withStatus(200).withFixedDelay(3_000).withBody("{}");
        var trickles = aResponse().withStatus(200).withChunkedDribbleDelay(20, 4_000)
                .withBody("{\"choices\":[{\"message\":{\"content\":\"" + "y".repeat(2_000) + "\"}}]}");
        try (var impatient = new LoopbackClient("127.0.0.1", gateway.port(), key, Duration.ofMillis(500))) {
            for (var slow : List.of(hangs, trickles)) {
                gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(slow));
                long start = System.nanoTime();
                assertThatThrownBy(() -> impatient.chat("judge", asked(0), "eval-1-x", false))
                        .isInstanceOfSatisfying(LoopbackClient.CallFailed.class,
                                e -> assertThat(e.detail()).isEqualTo("timeout"));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
            }
        }
    }

    @Test
    void embeddingsThatCannotBeComparedFailTheCall() {
        for (String data : List.of("[{\"embedding\":[1.0,0.0]},{\"embedding\":[1.0,0.0,0.5]}]",
                "[{\"embedding\":[1.0,\"x\"]},{\"embedding\":[1.0,0.0]}]", "[{\"embedding\":[]},{\"embedding\":[]}]",
                "[{\"embedding\":\"AAAA\"},{\"embedding\":\"AAAA\"}]", "{\"a\":1,\"b\":2}")) {
            gateway.stubFor(post(urlEqualTo("/v1/embeddings")).willReturn(aResponse().withStatus(200)
                    .withBody("{\"data\":" + data + "}")));
            assertThatThrownBy(() -> client.embeddings("embed", List.of("a", "b"), "eval-3-x"))
                    .as(data).isInstanceOf(LoopbackClient.CallFailed.class);
        }
    }

    @Test
    void aRefusedFieldIsToldApartAndNonJsonErrorsStillFail() {
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":{\"message\":\"no JSON mode\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"response_format\",\"code\":\"unsupported_value\"}}")));
        assertThatThrownBy(() -> client.chat("judge", asked(0), "eval-1-x", false))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class, e -> {
                    assertThat(e.detail()).isEqualTo("status 400 unsupported_value");
                    assertThat(e.invalid("response_format")).isTrue();
                    assertThat(e.invalid("n")).isFalse();
                    assertThat(e.getMessage()).doesNotContain(key.authorization().substring(7));
                });
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withBody("[\"not an error object\"]")));
        assertThatThrownBy(() -> client.chat("judge", asked(0), "eval-1-x", false))
                .isInstanceOfSatisfying(LoopbackClient.CallFailed.class, e -> {
                    assertThat(e.detail()).isEqualTo("status 400");
                    assertThat(e.invalid("response_format")).isFalse();
                });
    }

    /** A re-ask answered with a tool call reads as the original's answer text would; only one choice is asked for. */
    @Test
    void toolCallsAreWrittenAsAnswersAreAndOneChoiceIsAskedFor() throws Exception {
        gateway.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withBody("{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"c1\","
                        + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":"
                        + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}")));
        ChatRequest many = new ChatRequest("m", List.of(Message.text(Role.USER, "hi")),
                new Sampling(0.3, null, 50, List.of(), null, null, null, 4), List.of(), null, null, false, false,
                null, Map.of(), OpenAiDialect.ID);
        LoopbackClient.Reply reply = client.chat("gpt-4o", many, "eval-1-x", true);
        assertThat(reply.text()).isEqualTo("[tool call weather] {\"city\":\"Paris\"}");
        gateway.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(notMatching(".*\"n\".*")));
    }

    @Test
    void aWildcardListenerIsReachedOnLoopbackAndLongParentIdsAreCut() {
        assertThat(LoopbackClient.loopbackHost("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(LoopbackClient.loopbackHost("")).isEqualTo("127.0.0.1");
        // IPv6's own loopback for its wildcard, however written: it answers also where the socket is v6-only.
        for (String wildcard : List.of("::", "[::]", "0:0:0:0:0:0:0:0", "::0")) {
            assertThat(LoopbackClient.loopbackHost(wildcard)).as(wildcard).isEqualTo("::1");
        }
        assertThat(LoopbackClient.loopbackHost("[::1]")).isEqualTo("::1");
        assertThat(LoopbackClient.loopbackHost("fd00::10")).isEqualTo("fd00::10");
        assertThat(LoopbackClient.loopbackHost("10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(LoopbackClient.callId("r".repeat(300), 7)).hasSize(128).startsWith("eval-7-r");
    }
}
