package dev.tollgate.server.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvalSampling;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationSettings;
import dev.tollgate.core.eval.Evaluator;
import dev.tollgate.core.eval.JudgeInput;
import dev.tollgate.core.eval.Rubric;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.openai.OpenAiDialect;
import dev.tollgate.server.access.InternalKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scorers against a stand-in for the gateway's proxy port that answers as a provider without a JSON mode. */
class ScorersTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final EvalSampling ALL = new EvalSampling(1, Set.of(), Set.of(), Set.of());
    private static final Evaluator.Judge JUDGE = new Evaluator.Judge("faithful", "claude-judge",
            Rubric.Shipped.FAITHFULNESS, 300, ALL, 0.5);
    private static final Evaluator.Consistency STABLE = new Evaluator.Consistency("stable", 2, "embed", ALL, 0.8);
    private static final RequestFacts FACTS = new RequestFacts("req-1", "spend-1", NOW, "app", "ops", "gpt-x", null,
            null, null);

    private final List<String> chats = new CopyOnWriteArrayList<>();
    private HttpServer proxy;
    private LoopbackClient client;
    private Scorers scorers;

    @BeforeEach
    void start() throws IOException {
        proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/v1/chat/completions", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            chats.add(body);
            if (body.contains("response_format")) {
                answer(exchange, 400, "{\"error\":{\"message\":\"Invalid 'response_format': this model's provider "
                        + "(Anthropic) has no JSON mode\",\"type\":\"invalid_request_error\",\"param\":"
                        + "\"response_format\",\"code\":\"unsupported_value\"}}", null);
            } else {
                answer(exchange, 200, "{\"choices\":[{\"message\":{\"content\":\"{\\\"score\\\": 5, \\\"reason\\\": "
                        + "\\\"faithful\\\"}\"},\"finish_reason\":\"stop\"}]}", "0.003");
            }
        });
        // Vectors of two sizes: the embeddings route fell back to another model half way.
        proxy.createContext("/v1/embeddings", exchange -> answer(exchange, 200, "{\"data\":[{\"embedding\":[1,0]},"
                + "{\"embedding\":[1,0,0]},{\"embedding\":[1,0]}]}", "0.001"));
        proxy.start();
        client = new LoopbackClient("127.0.0.1", proxy.getAddress().getPort(),
                InternalKey.generate(new SecureRandom(), NOW), Duration.ofSeconds(5));
        scorers = new Scorers(client, new Verdicts(new PiiRedactor(PiiDetector.all()), Clock.fixed(NOW,
                ZoneOffset.UTC)));
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String body, String cost) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (cost != null) {
            exchange.getResponseHeaders().add("x-tollgate-cost-usd", cost);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static RuntimeSnapshot snapshot(Evaluator... evaluators) {
        Map<String, Evaluator> byName = new java.util.LinkedHashMap<>();
        for (Evaluator e : evaluators) {
            byName.put(e.name(), e);
        }
        return EvaluationsTest.snapshot(new EvaluationSettings("quality", 8, 1, 2_000, Duration.ofDays(1), byName));
    }

    private static EvaluationDraft draft(ChatRequest request, Evaluator.Sampled evaluator) {
        return new EvaluationDraft(new JudgeInput("", "user: where is Paris?", "In France."), false, request,
                request == null ? 0 : 100, List.of(evaluator));
    }

    @Test
    void aJudgeWhoseProviderHasNoJsonModeIsAskedOnceMoreWithoutTheSchema() {
        EvaluationResult result = scorers.score(FACTS, draft(null, JUDGE), JUDGE, snapshot(JUDGE));
        assertThat(result.outcome()).isEqualTo(EvalOutcome.SCORED);
        assertThat(result.score()).isEqualTo(1.0);
        assertThat(result.cost().usd()).isEqualTo("0.003");
        assertThat(chats).hasSize(2);
        assertThat(chats.get(0)).contains("\"json_schema\"").contains("\"strict\":true").contains("\"temperature\":0");
        assertThat(chats.get(1)).doesNotContain("response_format").contains("\"max_completion_tokens\":300");
    }

    @Test
    void embeddingsOfDifferentSizesAreAFailedResultNotAnException() {
        ChatRequest original = new ChatRequest("gpt-x", List.of(Message.text(Role.USER, "where is Paris?")),
                new Sampling(0.2, null, 50, List.of(), null, null, null, null), List.of(), null, null, false, false,
                null, Map.of(), OpenAiDialect.ID);
        EvaluationResult result = scorers.score(FACTS, draft(original, STABLE), STABLE, snapshot(STABLE));
        assertThat(result.outcome()).isEqualTo(EvalOutcome.FAILED);
        assertThat(result.detail()).startsWith("embeddings:");
        assertThat(result.score()).isNull();
        assertThat(result.flagged()).isFalse();
        assertThat(result.cost().usd()).isEqualTo("0.006"); // the two re-asks were paid for
    }
}
