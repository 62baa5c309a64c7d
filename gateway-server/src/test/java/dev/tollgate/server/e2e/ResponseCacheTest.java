package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.tollgate.core.access.KeyHash;
import dev.tollgate.server.testing.RunningGateway;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The response cache end to end: a WireMock OpenAI upstream counts what reaches it, clients of both dialects (raw
 * HTTP and the real SDKs) ask through the gateway.
 */
class ResponseCacheTest {
    static final String ADMIN = "cache-admin";
    static final String ALPHA = "tg-alpha";
    static final String ALPHA_TOO = "tg-alpha-too";
    static final String BETA = "tg-beta";
    static final String LIMITED = "tg-limited";

    WireMockServer upstream;
    RunningGateway gateway;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(9).willReturn(answer("Paris", "stop")));
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                admin: { keys: ["%s"] }
                storage: { ledger: "sqlite:%s" }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%d/v1, timeouts: { first_byte: 2s } }
                prices:
                  up-model: { input: 1000, output: 1000 }
                models:
                  m: { deployments: [ { provider: up, model: up-model } ] }
                  tools: { deployments: [ { provider: up, model: up-model } ], cache: { cache_tool_calls: true } }
                  capped: { deployments: [ { provider: up, model: up-model, limits: { rpm: 1 } } ] }
                  retried:
                    deployments:
                      - { provider: up, model: broken-model, priority: 0 }
                      - { provider: up, model: up-model, priority: 1 }
                  primary: { deployments: [ { provider: up, model: failing-model } ], fallbacks: [ m ] }
                resilience: { retries: { same_deployment: 0 } }
                teams: { alpha: {}, beta: {} }
                keys:
                  - { name: a1, hash: "%s", team: alpha }
                  - { name: a2, hash: "%s", team: alpha }
                  - { name: b1, hash: "%s", team: beta }
                  - { name: limited, hash: "%s", team: alpha, limits: { rpm: 3 } }
                cache: { enabled: true, ttl: 10m }
                prompts:
                  capital:
                    versions:
                      1:
                        params: { temperature: 0 }
                        messages: [ { role: user, content: "Capital of {{country}}?" } ]
                """.formatted(KeyHash.of(ADMIN), dir.resolve("ledger.db"), upstream.port(), KeyHash.of(ALPHA),
                KeyHash.of(ALPHA_TOO), KeyHash.of(BETA), KeyHash.of(LIMITED)), Map.of());
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.stop();
    }

    static ResponseDefinitionBuilder answer(String text, String finish) {
        return aResponse().withStatus(200).withHeader("content-type", "application/json").withBody("""
                {"id":"up-1","object":"chat.completion","created":7,"model":"up-model","choices":[{"index":0,
                "message":{"role":"assistant","content":"%s"},"finish_reason":"%s"}],
                "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}
                """.formatted(text, finish));
    }

    static String ask(String prompt, boolean stream, String sampling) {
        return "{\"model\":\"m\",\"stream\":" + stream + sampling
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    static String ask(String prompt) {
        return ask(prompt, false, ",\"temperature\":0");
    }

    HttpResponse<String> send(String key, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "authorization";
        all[1] = "Bearer " + key;
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.post(gateway.url("/v1/chat/completions"), body, all);
    }

    int upstreamCalls() {
        return upstream.countRequestsMatching(postRequestedFor(urlEqualTo("/v1/chat/completions")).build()).getCount();
    }

    static String cache(HttpResponse<String> r) {
        return r.headers().firstValue("x-tollgate-cache").orElse(null);
    }

    @Test
    void aPromptRequestIsCachedByWhatItRendersSoOtherVariablesAreAnotherEntry() throws Exception {
        String body = "{\"model\":\"m\",\"messages\":[]}";
        String[] france = {"x-tollgate-prompt", "capital", "x-tollgate-prompt-variables", "{\"country\":\"France\"}"};
        assertThat(cache(send(ALPHA, body, france))).isEqualTo("miss");
        assertThat(cache(send(ALPHA, body, "x-tollgate-prompt", "capital", "x-tollgate-prompt-variables",
                "{\"country\":\"Spain\"}"))).isEqualTo("miss");
        var again = send(ALPHA, body, france);
        assertThat(cache(again)).isEqualTo("hit");
        assertThat(again.headers().firstValue("x-tollgate-prompt")).hasValue("capital@1");
        // the same request written out by hand is the same entry: the cache sees the merged request only
        assertThat(cache(send(ALPHA, ask("Capital of France?")))).isEqualTo("hit");
        assertThat(upstreamCalls()).isEqualTo(2);
    }

    @Test
    void aRepeatIsAnsweredFromTheCacheWithItsAge() throws Exception {
        var first = send(ALPHA, ask("capital of France?"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(cache(first)).isEqualTo("miss");
        // Another spelling of the same request: field order and whitespace do not matter, nor does the end user.
        var second = send(ALPHA, "{ \"messages\": [ {\"content\": \"capital of France?\", \"role\": \"user\"} ],"
                + " \"temperature\": 0, \"user\": \"someone\", \"model\": \"m\" }");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(cache(second)).isEqualTo("hit");
        assertThat(second.headers().firstValue("age")).hasValueSatisfying(age -> assertThat(Long.parseLong(age)).isBetween(0L, 5L));
        assertThat(second.headers().firstValue("x-tollgate-deployment")).isEmpty();
        JsonNode a = Http.json(first);
        JsonNode b = Http.json(second);
        assertThat(b.at("/choices/0/message/content").asText()).isEqualTo("Paris");
        assertThat(b.at("/id")).isEqualTo(a.at("/id"));
        // The original usage (clients may rely on it), in the dialect's encoding of the canonical answer.
        for (String count : new String[] {"/usage/prompt_tokens", "/usage/completion_tokens", "/usage/total_tokens"}) {
            assertThat(b.at(count).asLong()).as(count).isEqualTo(a.at(count).asLong()).isPositive();
        }
        assertThat(upstreamCalls()).isEqualTo(1);
    }

    @Test
    void teamsNeverShareAnEntry() throws Exception {
        assertThat(cache(send(ALPHA, ask("shared?")))).isEqualTo("miss");
        assertThat(cache(send(BETA, ask("shared?")))).isEqualTo("miss");
        assertThat(cache(send(ALPHA_TOO, ask("shared?")))).isEqualTo("hit"); // same team, another key
        assertThat(upstreamCalls()).isEqualTo(2);
    }

    @Test
    void requestsThatAreNotDeterministicBypassTheCache() throws Exception {
        assertThat(cache(send(ALPHA, ask("poem", false, ",\"temperature\":0.9")))).isEqualTo("bypass");
        assertThat(cache(send(ALPHA, ask("poem", false, ",\"temperature\":0.9")))).isEqualTo("bypass");
        assertThat(cache(send(ALPHA, ask("poem", false, ",\"temperature\":0.9,\"seed\":4")))).isEqualTo("miss");
        assertThat(cache(send(ALPHA, ask("poem", false, ",\"temperature\":0,\"n\":2")))).isEqualTo("bypass");
        assertThat(upstreamCalls()).isEqualTo(4);
    }

    @Test
    void truncatedFilteredAndFailedAnswersAreNeverStored() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[0].content", containing("long")))
                .willReturn(answer("cut", "length")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[0].content", containing("filtered")))
                .willReturn(answer("", "content_filter")));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[0].content", containing("boom")))
                .willReturn(aResponse().withStatus(400).withHeader("content-type", "application/json")
                        .withBody("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\"}}")));
        for (String prompt : new String[] {"long", "filtered", "boom"}) {
            int before = upstreamCalls();
            send(ALPHA, ask(prompt));
            var again = send(ALPHA, ask(prompt));
            assertThat(cache(again)).as(prompt).isEqualTo("miss");
            assertThat(upstreamCalls()).as(prompt).isEqualTo(before + 2);
        }
    }

    @Test
    void aStoredStreamServesAClientThatDoesNotStream() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream").withBody("""
                        data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}

                        data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

                        data: {"id":"s1","object":"chat.completion.chunk","created":1,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}

                        data: [DONE]

                        """)));
        var streamed = send(ALPHA, ask("greet", true, ",\"temperature\":0"));
        assertThat(streamed.body()).contains("[DONE]");
        assertThat(cache(streamed)).isEqualTo("miss");
        var whole = send(ALPHA, ask("greet"));
        assertThat(cache(whole)).isEqualTo("hit");
        assertThat(Http.json(whole).at("/choices/0/message/content").asText()).isEqualTo("Hello");
        assertThat(Http.json(whole).at("/usage/completion_tokens").asLong()).isEqualTo(2);
        assertThat(upstreamCalls()).isEqualTo(1);
    }

    @Test
    void aStreamRetriedBeforeItsFirstContentIsStoredAsTheAttemptThatAnswered() throws Exception {
        // The first deployment opens a stream (role chunk: not content, so nothing is committed) and ends it
        // without [DONE]; the exchange moves to the next deployment, whose complete stream is the answer.
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.model", equalTo("broken-model")))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream").withBody("""
                        data: {"id":"dead","object":"chat.completion.chunk","created":1,"model":"broken-model","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}

                        """)));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(2)
                .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
                .willReturn(aResponse().withStatus(200).withHeader("content-type", "text/event-stream").withBody("""
                        data: {"id":"live","object":"chat.completion.chunk","created":2,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Lyon"},"finish_reason":null}]}

                        data: {"id":"live","object":"chat.completion.chunk","created":2,"model":"up-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}

                        data: [DONE]

                        """)));
        String body = ask("second city?", true, ",\"temperature\":0").replace("\"m\"", "\"retried\"");
        var streamed = send(ALPHA, body);
        assertThat(streamed.body()).contains("Lyon").contains("[DONE]");
        assertThat(streamed.headers().firstValue("x-tollgate-attempts")).hasValue("2");
        assertThat(upstreamCalls()).isEqualTo(2);

        var again = send(ALPHA, body.replace("\"stream\":true", "\"stream\":false"));
        assertThat(cache(again)).isEqualTo("hit");
        JsonNode answer = Http.json(again);
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Lyon");
        assertThat(answer.at("/id").asText()).isEqualTo("live"); // nothing of the failed attempt's stream
        assertThat(upstreamCalls()).isEqualTo(2);
    }

    @Test
    void anAnswerFromAFallbackModelIsNotStoredAsTheModelAskedFor() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.model", equalTo("failing-model")))
                .willReturn(aResponse().withStatus(503).withHeader("content-type", "application/json")
                        .withBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}")));
        String body = ask("who answers?").replace("\"m\"", "\"primary\"");
        var first = send(ALPHA, body);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-tollgate-fallback")).isPresent();
        assertThat(cache(first)).isEqualTo("miss");
        // Model m's answer must not be served as primary's for the ttl: primary is asked again (and falls back).
        var second = send(ALPHA, body);
        assertThat(cache(second)).isEqualTo("miss");
        assertThat(upstreamCalls()).isEqualTo(4);
    }

    @Test
    void aStoredAnswerIsAValidStreamForTheOpenAiSdk() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey(ALPHA).maxRetries(0)
                .build();
        try {
            var params = ChatCompletionCreateParams.builder().model("m").temperature(0).addUserMessage("sdk?")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
            var whole = ChatCompletionCreateParams.builder().model("m").temperature(0).addUserMessage("sdk?").build();
            assertThat(client.chat().completions().create(whole).choices().get(0).message().content()).hasValue("Paris");
            var text = new StringBuilder();
            var usage = new AtomicLong(-1);
            try (var stream = client.chat().completions().createStreaming(params)) {
                stream.stream().forEach((ChatCompletionChunk chunk) -> {
                    chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                    chunk.usage().ifPresent(u -> usage.set(u.completionTokens()));
                });
            }
            assertThat(text.toString()).isEqualTo("Paris");
            assertThat(usage.get()).isEqualTo(2);
            assertThat(upstreamCalls()).isEqualTo(1);
        } finally {
            client.close();
        }
    }

    @Test
    void aStoredAnswerIsAValidStreamForTheAnthropicSdk() {
        AnthropicClient client = AnthropicOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + gateway.url("/").getPort()).apiKey(ALPHA).maxRetries(0).build();
        try {
            var params = MessageCreateParams.builder().model("m").maxTokens(64)
                    .putAdditionalBodyProperty("temperature", JsonValue.from(0))
                    .addUserMessage("anthropic?").build();
            assertThat(client.messages().create(params).content().get(0).asText().text()).isEqualTo("Paris");
            var text = new StringBuilder();
            var stop = new AtomicReference<String>();
            try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
                stream.stream().forEach(e -> {
                    e.contentBlockDelta().ifPresent(d -> d.delta().text().ifPresent(t -> text.append(t.text())));
                    e.messageDelta().ifPresent(d -> d.delta().stopReason().ifPresent(r -> stop.set(r.toString())));
                });
            }
            assertThat(text.toString()).isEqualTo("Paris");
            assertThat(stop.get()).isEqualTo("end_turn");
            assertThat(upstreamCalls()).isEqualTo(1);
        } finally {
            client.close();
        }
    }

    @Test
    void clientControls() throws Exception {
        send(ALPHA, ask("controls"));
        var refresh = send(ALPHA, ask("controls"), "cache-control", "no-cache");
        assertThat(cache(refresh)).isEqualTo("refresh");
        assertThat(upstreamCalls()).isEqualTo(2);
        assertThat(cache(send(ALPHA, ask("controls")))).isEqualTo("hit");

        assertThat(cache(send(ALPHA, ask("private"), "cache-control", "no-store"))).isEqualTo("miss");
        assertThat(cache(send(ALPHA, ask("private")))).isEqualTo("miss"); // the no-store answer was not kept
        assertThat(cache(send(ALPHA, ask("private"), "cache-control", "no-store"))).isEqualTo("hit");

        var bad = send(ALPHA, ask("controls"), "x-tollgate-cache-ttl", "soon");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Http.json(bad).at("/error/message").asText()).contains("x-tollgate-cache-ttl").contains("'soon'");
        assertThat(send(ALPHA, ask("short-lived"), "x-tollgate-cache-ttl", "1s").statusCode()).isEqualTo(200);
        Thread.sleep(1_200);
        assertThat(cache(send(ALPHA, ask("short-lived")))).isEqualTo("miss");
    }

    @Test
    void withoutACacheTheCacheHeadersChangeNothing() throws Exception {
        try (var plain = RunningGateway.start("""
                server: { listen: 127.0.0.1:0 }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%d/v1 }
                models:
                  m: { deployments: [ { provider: up, model: up-model } ] }
                """.formatted(upstream.port()), Map.of())) {
            // A gateway without a cache answers as it always did: the cache's own header is not even read.
            var r = Http.post(plain.url("/v1/chat/completions"), ask("no cache here"), "x-tollgate-cache-ttl", "soon",
                    "cache-control", "no-cache");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(cache(r)).isNull();
        }
    }

    @Test
    void aHitCostsNothingIsALedgerRowAndStillCountsAgainstRateLimits() throws Exception {
        assertThat(send(LIMITED, ask("limits")).headers().firstValue("x-tollgate-cost-usd")).isPresent();
        assertThat(cache(send(LIMITED, ask("limits")))).isEqualTo("hit");
        var hit = send(LIMITED, ask("limits"));
        assertThat(cache(hit)).isEqualTo("hit");
        assertThat(hit.headers().firstValue("x-tollgate-cost-usd")).isEmpty();
        var refused = send(LIMITED, ask("limits"));
        assertThat(refused.statusCode()).isEqualTo(429); // rpm 3: hits counted too
        assertThat(cache(refused)).isNull(); // refused, not served: neither a hit nor a ledger row
        JsonNode row = null;
        for (int i = 0; i < 50 && row == null; i++) {
            JsonNode rows = Http.json(admin("/admin/spend?group_by=key&key=limited")).at("/data");
            if (rows.size() > 0 && rows.get(0).at("/requests").asLong() == 3) {
                row = rows.get(0);
            } else {
                Thread.sleep(100);
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.at("/cache_hits").asLong()).isEqualTo(2);
        // Only the miss was charged: 10 input and 2 output tokens at 1000 USD per million each.
        assertThat(new BigDecimal(row.at("/cost_usd").asText())).isEqualByComparingTo("0.012");
        assertThat(gateway.logs()).contains("\"cache\":\"hit\"").contains("\"cache\":\"miss\"");
    }

    @Test
    void aHitTakesNoDeploymentCapacityAndIsServedWhenNoDeploymentCouldTakeTheRequest() throws Exception {
        String asked = "{\"model\":\"capped\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"capped?\"}]}";
        assertThat(cache(send(ALPHA, asked))).isEqualTo("miss"); // the deployment's one request this minute
        assertThat(send(ALPHA, asked.replace("capped?", "another?")).statusCode()).isIn(429, 503);
        var hit = send(ALPHA, asked);
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(cache(hit)).isEqualTo("hit");
        assertThat(upstreamCalls()).isEqualTo(1);
    }

    @Test
    void adminsSeeTheStoreAndPurgeItByScopeModelOrWhole() throws Exception {
        send(ALPHA, ask("one?"));
        send(BETA, ask("two?"));
        send(ALPHA, ask("one?"));
        JsonNode stats = Http.json(admin("/admin/cache"));
        assertThat(stats.path("entries").asLong()).isEqualTo(2);
        assertThat(stats.path("hits").asLong()).isEqualTo(1);
        assertThat(stats.path("misses").asLong()).isEqualTo(2);
        assertThat(stats.path("bytes").asLong()).isPositive();

        assertThat(Http.json(admin("DELETE", "/admin/cache?scope=team:alpha")).path("purged").asLong()).isEqualTo(1);
        assertThat(cache(send(ALPHA, ask("one?")))).isEqualTo("miss");
        assertThat(cache(send(BETA, ask("two?")))).isEqualTo("hit");
        assertThat(Http.json(admin("DELETE", "/admin/cache?model=other")).path("purged").asLong()).isZero();
        assertThat(Http.json(admin("DELETE", "/admin/cache")).path("purged").asLong()).isEqualTo(2);
        assertThat(cache(send(BETA, ask("two?")))).isEqualTo("miss");
        assertThat(admin("GET", "/admin/cache?model=m").statusCode()).isEqualTo(400);
    }

    HttpResponse<String> admin(String path) throws Exception {
        return admin("GET", path);
    }

    HttpResponse<String> admin(String method, String path) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(gateway.adminUrl(path))
                .header("authorization", "Bearer " + ADMIN)
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        return java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
