package dev.tollgate.server.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.server.testing.RunningGateway;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Registry prompts end to end, from the official OpenAI and Anthropic SDKs through the gateway to WireMock
 * upstreams of both dialects: the upstream gets the merged request, and the prompt, version and experiment arm are
 * in the response headers, the ledger row, the access log, the metrics and the feedback attribution.
 */
class PromptsTest {
    private static final Path FIXTURES = Path.of("../providers/src/test/resources/fixtures");

    private static WireMockServer upstream;
    private static RunningGateway gateway;
    private static OpenAIClient openai;
    private static AnthropicClient anthropic;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        upstream = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        upstream.start();
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(1)
                .withRequestBody(containing("\"stream\":true")).willReturn(aResponse().withStatus(200)
                        .withHeader("content-type", "text/event-stream").withBody(fixture("openai/usage.sse"))));
        upstream.stubFor(post(urlEqualTo("/v1/chat/completions")).atPriority(2).willReturn(aResponse()
                .withStatus(200).withHeader("content-type", "application/json")
                .withBody(fixture("openai/reply-text.json"))));
        upstream.stubFor(post(urlEqualTo("/v1/messages")).atPriority(1)
                .withRequestBody(containing("\"stream\":true")).willReturn(aResponse().withStatus(200)
                        .withHeader("content-type", "text/event-stream").withBody(fixture("anthropic/text.sse"))));
        upstream.stubFor(post(urlEqualTo("/v1/messages")).atPriority(2).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody(fixture("anthropic/reply-text.json"))));
        upstream.stubFor(post(urlEqualTo("/v1/messages/count_tokens")).willReturn(aResponse().withStatus(200)
                .withHeader("content-type", "application/json").withBody("{\"input_tokens\":42}")));
        dir = Files.createTempDirectory("tollgate-prompts");
        gateway = RunningGateway.start("""
                server: { listen: 127.0.0.1:0, admin_listen: 127.0.0.1:0 }
                storage: { ledger: "sqlite:%2$s" }
                providers:
                  up: { type: openai, base_url: http://127.0.0.1:%1$d/v1 }
                  claude: { type: anthropic, base_url: http://127.0.0.1:%1$d, api_key: "${env:KEY}" }
                  mock: { type: mock, mock: { answer_words: 4 } }
                models:
                  some-chat-group: { deployments: [ { provider: up, model: up-a } ] }
                  other-chat-group: { deployments: [ { provider: up, model: up-b } ] }
                  claude-group: { deployments: [ { provider: claude, model: claude-up } ] }
                  embed: { mode: embeddings, deployments: [ { provider: mock, model: mock-embed } ] }
                prompts:
                  support-answer:
                    labels: {production: 1}
                    versions:
                      1:
                        model: some-chat-group
                        params: {temperature: 0.2, max_tokens: 300}
                        system: "You answer for {{product}}."
                        messages:
                          - {role: user, content: "Ticket: {{ticket}}"}
                experiments:
                  tone:
                    prompt: support-answer
                    label: production
                    sticky: key
                    arms:
                      a: {version: 1, weight: 50}
                      b: {version: 1, model: other-chat-group, weight: 50}
                """.formatted(upstream.port(), dir.resolve("ledger.db")), Map.of("KEY", "sk-ant-test"));
        openai = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("any").maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.url("/").getPort())
                .apiKey("any").maxRetries(0).build();
    }

    @AfterAll
    static void stop() throws Exception {
        openai.close();
        anthropic.close();
        gateway.close();
        upstream.stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String fixture(String name) {
        try {
            return Files.readString(FIXTURES.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The one upstream request whose body holds {@code marker}. */
    private static JsonNode sent(String path, String marker) throws Exception {
        List<LoggedRequest> all = upstream.findAll(postRequestedFor(urlEqualTo(path)));
        List<LoggedRequest> matching = all.stream().filter(r -> r.getBodyAsString().contains(marker)).toList();
        assertThat(matching).as("upstream requests holding " + marker).hasSize(1);
        return Http.JSON.readTree(matching.getFirst().getBodyAsString());
    }

    private static JsonValue promptField(String ticket, Map<String, Object> extra) {
        var prompt = new java.util.LinkedHashMap<String, Object>(Map.of("id", "support-answer",
                "variables", Map.of("product", "Acme", "ticket", ticket)));
        prompt.putAll(extra);
        return JsonValue.from(prompt);
    }

    @Test
    void anOpenAiSdkBodyPromptReachesTheUpstreamMergedAndIsRecordedEverywhere() throws Exception {
        String ticket = "T-" + UUID.randomUUID();
        var params = ChatCompletionCreateParams.builder().model("").messages(List.of())
                .addUserMessage("Where is my parcel?").maxCompletionTokens(64L)
                .putAdditionalBodyProperty("prompt", promptField(ticket, Map.of()))
                .build();
        com.openai.core.http.HttpResponseFor<ChatCompletion> raw =
                openai.chat().completions().withRawResponse().create(params);
        ChatCompletion answer = raw.parse();
        assertThat(answer.choices().getFirst().message().content()).isPresent();
        String arm = raw.headers().values("x-tollgate-experiment").getFirst();
        assertThat(arm).isIn("tone/a", "tone/b");
        assertThat(raw.headers().values("x-tollgate-prompt")).containsExactly("support-answer@1");
        String requestId = raw.headers().values("x-request-id").getFirst();

        JsonNode up = sent("/v1/chat/completions", ticket);
        assertThat(up.has("prompt")).isFalse();
        assertThat(up.get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"You answer for "
                + "Acme.\"},{\"role\":\"user\",\"content\":\"Ticket: " + ticket + "\"},{\"content\":\"Where is my "
                + "parcel?\",\"role\":\"user\"}]"); // the client's own message, as the SDK wrote it
        // arm b sends the request to its own model group; arm a keeps the version's
        assertThat(up.get("model").asText()).isEqualTo(arm.equals("tone/b") ? "up-b" : "up-a");
        assertThat(up.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(up.has("max_tokens")).as("the client set max_completion_tokens").isFalse();
        assertThat(up.get("max_completion_tokens").asInt()).isEqualTo(64);

        String armName = arm.substring("tone/".length());
        assertThat(ledgerRow(requestId)).isEqualTo(List.of("support-answer", "1", "production", "tone", armName));
        String line = gateway.accessLine(requestId);
        assertThat(line).contains("\"prompt\":\"support-answer\"", "\"prompt_version\":1",
                "\"prompt_label\":\"production\"", "\"experiment\":\"" + arm + "\"");

        HttpResponse<String> rated = Http.post(gateway.url("/v1/feedback"),
                "{\"request_id\":\"" + requestId + "\",\"score\":\"up\"}");
        assertThat(rated.statusCode()).isEqualTo(200);
        String metrics = Http.get(gateway.adminUrl("/metrics")).body();
        assertThat(metrics)
                .contains("tollgate_feedback_score_count{experiment=\"" + arm + "\",gen_ai_request_model=\""
                        + (arm.equals("tone/b") ? "other-chat-group" : "some-chat-group")
                        + "\",prompt=\"support-answer\",prompt_version=\"1\",tier=\"none\",variant=\"none\"}")
                .contains("tollgate_prompt_requests_total{experiment=\"" + arm + "\",outcome=\"success\","
                        + "prompt=\"support-answer\",prompt_version=\"1\"}")
                .contains("tollgate_prompt_duration_seconds_count{experiment=\"" + arm + "\"")
                .contains("tollgate_prompt_tokens_total{experiment=\"" + arm + "\"");
    }

    @Test
    void anOpenAiSdkStreamNamesItsPromptByHeaderAndPinsAVersion() throws Exception {
        String ticket = "S-" + UUID.randomUUID();
        var params = ChatCompletionCreateParams.builder().model("").addUserMessage("More detail, please.")
                .putAdditionalHeader("x-tollgate-prompt", "support-answer@1")
                .putAdditionalHeader("x-tollgate-prompt-variables",
                        "{\"product\":\"Acme\",\"ticket\":\"" + ticket + "\"}")
                .build();
        var text = new StringBuilder();
        try (var stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach((ChatCompletionChunk c) -> c.choices().forEach(
                    choice -> choice.delta().content().ifPresent(text::append)));
        }
        assertThat(text.toString()).isNotEmpty();
        JsonNode up = sent("/v1/chat/completions", ticket);
        assertThat(up.get("stream").asBoolean()).isTrue();
        assertThat(up.get("model").asText()).isEqualTo("up-a"); // a pinned version is in no experiment
        assertThat(up.get("max_tokens").asInt()).isEqualTo(300);
        assertThat(up.get("messages").get(2).get("content").asText()).isEqualTo("More detail, please.");
    }

    @Test
    void anAnthropicSdkBodyPromptIsMergedIntoSystemAndMessagesStreamedOrNot() throws Exception {
        String ticket = "A-" + UUID.randomUUID();
        MessageCreateParams params = MessageCreateParams.builder().model("claude-group").maxTokens(99)
                .system("Own system.").addUserMessage("Hello?")
                .putAdditionalBodyProperty("prompt", com.anthropic.core.JsonValue.from(Map.of("id", "support-answer",
                        "version", "1", "variables", Map.of("product", "Acme", "ticket", ticket))))
                .build();
        HttpResponseFor<Message> raw = anthropic.messages().withRawResponse().create(params);
        assertThat(raw.parse().content()).isNotEmpty();
        assertThat(raw.headers().values("x-tollgate-prompt")).containsExactly("support-answer@1");
        assertThat(raw.headers().values("x-tollgate-experiment")).isEmpty();
        JsonNode up = sent("/v1/messages", ticket);
        assertThat(up.has("prompt")).isFalse();
        assertThat(up.get("model").asText()).isEqualTo("claude-up"); // the client's own model
        assertThat(up.get("system").toString()).isEqualTo("[{\"type\":\"text\",\"text\":\"You answer for Acme.\"},"
                + "{\"type\":\"text\",\"text\":\"Own system.\"}]");
        assertThat(up.get("messages").get(0).get("content").asText()).isEqualTo("Ticket: " + ticket);
        assertThat(up.get("max_tokens").asInt()).isEqualTo(99);
        assertThat(up.get("temperature").asDouble()).isEqualTo(0.2);

        String streamed = "B-" + UUID.randomUUID();
        var accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params.toBuilder()
                .putAdditionalBodyProperty("prompt", com.anthropic.core.JsonValue.from(Map.of("id", "support-answer",
                        "version", 1, "variables", Map.of("product", "Acme", "ticket", streamed)))).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }
        assertThat(accumulator.message().content()).isNotEmpty();
        assertThat(sent("/v1/messages", streamed).get("stream").asBoolean()).isTrue();
    }

    @Test
    void countedTokensIncludeThePrompt() throws Exception {
        String ticket = "C-" + UUID.randomUUID();
        var count = anthropic.messages().countTokens(MessageCountTokensParams.builder().model("claude-group")
                .addUserMessage("hi").putAdditionalHeader("x-tollgate-prompt", "support-answer@1")
                .putAdditionalHeader("x-tollgate-prompt-variables", "{\"product\":\"Acme\",\"ticket\":\"" + ticket
                        + "\"}").build());
        assertThat(count.inputTokens()).isEqualTo(42);
        JsonNode up = sent("/v1/messages/count_tokens", ticket);
        assertThat(up.get("system").asText()).isEqualTo("You answer for Acme.");
        assertThat(up.has("max_tokens")).isFalse();
    }

    @Test
    void badPromptRequestsAreErrorsInTheClientsDialect() throws Exception {
        var unknown = catchThrowableOfType(NotFoundException.class, () -> openai.chat().completions().create(
                ChatCompletionCreateParams.builder().model("some-chat-group").addUserMessage("x")
                        .putAdditionalHeader("x-tollgate-prompt", "nope").build()));
        assertThat(unknown.code()).contains("prompt_not_found");
        var twice = catchThrowableOfType(BadRequestException.class, () -> openai.chat().completions().create(
                ChatCompletionCreateParams.builder().model("some-chat-group").addUserMessage("x")
                        .putAdditionalHeader("x-tollgate-prompt", "support-answer")
                        .putAdditionalBodyProperty("prompt", promptField("t", Map.of())).build()));
        assertThat(twice.code()).contains("prompt_named_twice");

        HttpResponse<String> badVariable = Http.post(gateway.url("/v1/messages"), """
                {"model":"claude-group","max_tokens":5,"messages":[{"role":"user","content":"x"}],
                 "prompt":{"id":"support-answer","variables":{"product":["a"],"ticket":"t"}}}""");
        assertThat(badVariable.statusCode()).isEqualTo(400);
        JsonNode error = Http.json(badVariable);
        assertThat(error.at("/type").asText()).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.at("/error/message").asText()).contains("prompt.variables.product");

        HttpResponse<String> missing = Http.post(gateway.url("/v1/messages"), """
                {"model":"claude-group","max_tokens":5,"messages":[],"prompt":{"id":"support-answer"}}""");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(Http.json(missing).at("/error/message").asText()).contains("product, ticket");

        HttpResponse<String> notFound = Http.post(gateway.url("/v1/messages"), """
                {"model":"claude-group","max_tokens":5,"messages":[],"prompt":{"id":"support-answer","label":"x"}}""");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(Http.json(notFound).at("/error/type").asText()).isEqualTo("not_found_error");

        HttpResponse<String> repeated = Http.post(gateway.url("/v1/messages"), """
                {"model":"claude-group","max_tokens":5,"messages":[{"role":"user","content":"x"}]}""",
                "x-tollgate-prompt", "support-answer@1", "x-tollgate-prompt", "support-answer");
        assertThat(repeated.statusCode()).isEqualTo(400);
        assertThat(Http.json(repeated).at("/error/message").asText()).contains("x-tollgate-prompt", "2 times");

        HttpResponse<String> embeddings = Http.post(gateway.url("/v1/embeddings"),
                "{\"model\":\"embed\",\"input\":\"x\"}", "x-tollgate-prompt", "support-answer");
        assertThat(embeddings.statusCode()).isEqualTo(400);
        assertThat(Http.json(embeddings).at("/error/code").asText()).isEqualTo("prompt_not_supported");
    }

    @Test
    void aStreamAndAnErrorAfterRenderingSayWhatWasRendered() throws Exception {
        String[] headers = {"x-tollgate-prompt", "support-answer@1", "x-tollgate-prompt-variables",
                "{\"product\":\"Acme\",\"ticket\":\"H-" + UUID.randomUUID() + "\"}"};
        HttpResponse<String> streamed = Http.post(gateway.url("/v1/chat/completions"), Http.chat("", true), headers);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(streamed.headers().firstValue("x-tollgate-prompt")).hasValue("support-answer@1");
        // refused once rendered: the model the request names itself does not exist
        HttpResponse<String> refused = Http.post(gateway.url("/v1/chat/completions"), Http.chat("no-such-group", false),
                headers);
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(refused.headers().firstValue("x-tollgate-prompt")).hasValue("support-answer@1");
    }

    @Test
    void promptHeadersAreReadAsUtf8() throws Exception {
        String ticket = "U-" + UUID.randomUUID();
        String answer = Http.raw(gateway.url("/").getPort(), rawChat("support-answer@1",
                "{\"product\":\"J\u00fcrgen \u2603\",\"ticket\":\"" + ticket + "\"}"));
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(sent("/v1/chat/completions", ticket).at("/messages/0/content").asText())
                .isEqualTo("You answer for J\u00fcrgen \u2603.");

        // octets that are not UTF-8 (a Latin-1 u-umlaut): a 400 naming the header, in the client's dialect
        String refused = Http.raw(gateway.url("/").getPort(), rawChat("support-answer@1",
                "{\"product\":\"J\u00fcrgen\",\"ticket\":\"t\"}").replace("J\u00c3\u00bc", "J\u00fc"));
        assertThat(refused).startsWith("HTTP/1.1 400");
        JsonNode error = Http.JSON.readTree(refused.substring(refused.indexOf("\r\n\r\n") + 4));
        assertThat(error.at("/error/param").asText()).isEqualTo("x-tollgate-prompt-variables");
        assertThat(error.at("/error/code").asText()).isEqualTo("invalid_header_encoding");
    }

    /**
     * A raw chat request naming {@code reference} with {@code variables}, whose header octets are their UTF-8
     * encoding (what curl sends for non-ASCII text), one char per octet as {@link Http#raw} writes them.
     */
    private static String rawChat(String reference, String variables) {
        String body = "{\"model\":\"\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String octets = new String(variables.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        return "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                + "connection: close\r\nx-tollgate-prompt: " + reference + "\r\nx-tollgate-prompt-variables: " + octets
                + "\r\ncontent-length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void aRequestWithoutAPromptReachesTheUpstreamByteForByteAsBefore() throws Exception {
        String marker = "P-" + UUID.randomUUID();
        String body = "{\"max_tokens\":7,  \"model\":\"claude-group\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + marker + "\"}], \"temperature\": 1.0}";
        HttpResponse<String> r = Http.post(gateway.url("/v1/messages"), body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-tollgate-prompt")).isEmpty();
        LoggedRequest up = upstream.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).stream()
                .filter(l -> l.getBodyAsString().contains(marker)).findFirst().orElseThrow();
        assertThat(up.getBodyAsString()).isEqualTo(body.replace("\"claude-group\"", "\"claude-up\""));
    }

    /** The spend row's prompt columns (id, version, label, experiment, arm), once the ledger has it. */
    private static List<String> ledgerRow(String requestId) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"));
                 var select = db.prepareStatement("SELECT prompt_id, prompt_version, prompt_label, experiment, "
                         + "experiment_arm FROM spend WHERE request_id = ?")) {
                select.setString(1, requestId);
                try (var rs = select.executeQuery()) {
                    if (rs.next()) {
                        var row = new ArrayList<String>();
                        for (int i = 1; i <= 5; i++) {
                            row.add(rs.getString(i));
                        }
                        return row;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no ledger row for " + requestId);
    }

}
