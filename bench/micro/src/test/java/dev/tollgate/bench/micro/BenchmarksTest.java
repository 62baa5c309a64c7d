package dev.tollgate.bench.micro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.cache.CacheKey;
import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.StreamEvent;
import dev.tollgate.core.quota.Admission;
import dev.tollgate.core.quota.Dimension;
import dev.tollgate.core.spi.RequestEnvelope;
import dev.tollgate.core.spi.StreamEncoder;
import dev.tollgate.core.spi.UpstreamCall;
import dev.tollgate.server.spend.Quote;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Each benchmark called once on its set-up state, its result checked: a benchmark that measured an error path, an
 * empty input or a refusal where an admission was meant would report a fine number for the wrong thing.
 */
class BenchmarksTest {
    /** The benchmarks this class checks; a new one fails {@link #everyBenchmarkIsChecked} until it has its check. */
    private static final Set<String> CHECKED = Set.of(
            "ModelFieldBench.envelope",
            "CodecBench.decodeRequest", "CodecBench.writeUpstreamRequest", "CodecBench.readUpstreamReply",
            "CodecBench.encodeResponse", "CodecBench.encodeStream",
            "SseBench.frame", "SseBench.frameAndDecode",
            "CacheKeyBench.key",
            "QuotaBench.admitAndSettle", "QuotaBench.refuseSpent",
            "MetricsBench.record");
    private static final String QUESTION = "What is the capital of France, and roughly how many people live there?";
    private static final String ANSWER = "The capital of France is Paris. About 2.1 million people live in the city "
            + "itself, and roughly 12 million in its metropolitan area.";

    @Test
    void everyBenchmarkIsChecked() throws IOException {
        Set<String> listed;
        try (InputStream in = BenchmarksTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertThat(in).as("JMH's annotation processor wrote " + BenchmarkList.BENCHMARK_LIST).isNotNull();
            listed = BenchmarkList.readBenchmarkList(in).stream()
                    .map(BenchmarkListEntry::getUsername)
                    .map(name -> name.substring(BenchmarksTest.class.getPackageName().length() + 1))
                    .collect(Collectors.toSet());
        }
        assertThat(listed).isEqualTo(CHECKED);
    }

    static Stream<Arguments> apisAndSizes() {
        return Stream.of(Api.values()).flatMap(api -> Stream.of(BodySize.values()).map(size -> Arguments.of(api, size)));
    }

    @ParameterizedTest
    @MethodSource("apisAndSizes")
    void bodiesAreTheSizeTheyClaim(Api api, BodySize size) {
        String body = new String(api.request(size), StandardCharsets.UTF_8);
        if (size == BodySize.SMALL) {
            assertThat(body.length()).isBetween(250, 300);
        } else {
            assertThat(body).hasSize(Conversation.LARGE_BYTES);
            assertThat(body.indexOf("\"model\"")).isGreaterThan(Conversation.LARGE_BYTES - 100);
        }
    }

    @ParameterizedTest
    @MethodSource("apisAndSizes")
    void envelopeFindsTheModel(Api api, BodySize size) {
        var bench = new ModelFieldBench();
        bench.api = api;
        bench.size = size;
        bench.setUp();

        RequestEnvelope envelope = bench.envelope();

        assertThat(envelope.model()).isEqualTo(api.model());
        assertThat(envelope.stream()).isFalse();
        assertThat(envelope.maxTokens()).isEqualTo(256);
        assertThat(envelope.namesPrompt()).isFalse();
        assertThat(envelope.user()).isEqualTo(size == BodySize.SMALL ? "user-4711" : null);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void codecsReadAndWriteTheSmallExchange(Api api) {
        var bench = new CodecBench();
        bench.api = api;
        bench.setUp();

        ChatRequest request = bench.decodeRequest();
        assertThat(request.model()).isEqualTo(api.model());
        assertThat(request.messages()).extracting(m -> m.role()).containsExactly(Role.SYSTEM, Role.USER);
        assertThat(request.lastUserText()).isEqualTo(QUESTION);
        assertThat(request.sampling().maxTokens()).isEqualTo(256);

        UpstreamCall call = bench.writeUpstreamRequest();
        String upstreamBody = new String(call.body(), StandardCharsets.UTF_8);
        assertThat(call.uri().toString()).endsWith(api == Api.OPENAI ? "/v1/chat/completions" : "/v1/messages");
        assertThat(upstreamBody).contains(QUESTION)
                .contains(api == Api.OPENAI ? "\"gpt-4o-mini\"" : "\"claude-sonnet-4-5\"");

        ChatResponse response = bench.readUpstreamReply();
        assertThat(response.output()).containsExactly(new Part.Text(ANSWER));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage().reported()).isTrue();
        assertThat(response.usage().outputTokens()).isEqualTo(api == Api.OPENAI ? 31 : 33);

        String encoded = new String(bench.encodeResponse(), StandardCharsets.UTF_8);
        assertThat(encoded).contains(ANSWER).contains(api == Api.OPENAI ? "chat.completion" : "\"message\"");
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void encodeStreamWritesTheWholeStream(Api api) {
        var bench = new CodecBench();
        bench.api = api;
        bench.setUp();
        assertThat(bench.streamed()).filteredOn(StreamEvent.TextDelta.class::isInstance)
                .hasSize(Transcript.DELTAS)
                .extracting(e -> ((StreamEvent.TextDelta) e).text())
                .containsExactlyElementsOf(Transcript.deltas());

        var wire = new StringBuilder();
        StreamEncoder encoder = api.dialect().streamEncoder(bench.request(), CodecBench.RESPONSE_ID);
        bench.streamed().forEach(e -> wire.append(new String(encoder.encode(e), StandardCharsets.UTF_8)));
        wire.append(new String(encoder.end(), StandardCharsets.UTF_8));

        assertThat(bench.encodeStream()).isEqualTo(wire.toString().getBytes(StandardCharsets.UTF_8).length);
        for (String delta : Transcript.deltas()) {
            assertThat(wire).contains(delta);
        }
        assertThat(wire).contains(api == Api.OPENAI ? "data: [DONE]" : "event: message_stop");
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void sseBenchmarksReadEveryEvent(Api api) {
        var bench = new SseBench();
        bench.api = api;
        bench.setUp();
        try {
            assertThat(bench.frame()).isEqualTo(api.transcript().size()).isEqualTo(bench.events());

            SseBench.Relayed relayed = bench.frameAndDecode();
            assertThat(relayed.outputChars()).isEqualTo(Transcript.text().length());
            assertThat(relayed.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(relayed.usage().reported()).isTrue();
            assertThat(relayed.usage().outputTokens()).isEqualTo(Transcript.DELTAS);
            assertThat(relayed.canonicalEvents()).isGreaterThan(Transcript.DELTAS);
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void cacheKeyIsTheTeamsAndDependsOnTheRequest() {
        var small = new CacheKeyBench();
        small.size = BodySize.SMALL;
        small.setUp();
        var large = new CacheKeyBench();
        large.size = BodySize.LARGE;
        large.setUp();

        CacheKey key = small.key();

        assertThat(key.scope()).isEqualTo("team:bench");
        assertThat(key.model()).isEqualTo(Api.OPENAI.model());
        assertThat(key.digest()).matches("[0-9a-f]{64}");
        assertThat(small.key()).isEqualTo(key);
        assertThat(large.key().digest()).isNotEqualTo(key.digest());
    }

    @Test
    void quotaAdmitsAndSettlesRefusesTheSpentKeyAndHoldsTheLimit() {
        var bench = new QuotaBench();
        bench.setUp();
        try {
            int concurrent = bench.app().key().limits().concurrent();
            // Settling frees the slot: more requests than the concurrency limit, one after another, all admitted.
            for (int i = 0; i <= concurrent; i++) {
                assertThat(bench.admitAndSettle()).isInstanceOf(Admission.Granted.class);
            }

            assertThat(bench.refuseSpent()).isInstanceOfSatisfying(Admission.Denied.class, denied -> {
                assertThat(denied.denial().dimension()).isEqualTo(Dimension.BUDGET);
                assertThat(denied.denial().scope()).isEqualTo("key:bench-spent");
            });

            // Requests held open: the limiter admits up to the key's concurrency limit, then refuses.
            Quote quote = bench.quote(bench.app());
            assertThat(quote.checks()).hasSize(3);
            for (int i = 0; i < concurrent; i++) {
                assertThat(bench.admit(quote, "held-" + i)).isInstanceOf(Admission.Granted.class);
            }
            assertThat(bench.admit(quote, "one-too-many")).isInstanceOfSatisfying(Admission.Denied.class,
                    denied -> assertThat(denied.denial().dimension()).isEqualTo(Dimension.CONCURRENT));
        } finally {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void metricsRecordOneRequest(boolean stream) {
        var bench = new MetricsBench();
        bench.stream = stream;
        bench.setUp();

        bench.record();

        var lines = bench.scrape().lines().toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("tollgate_requests_total{")
                .contains("gen_ai_request_model=\"chat\"", "outcome=\"success\"").endsWith(" 1.0"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("tollgate_key_requests_total{")
                .contains("key=\"bench-app\"").endsWith(" 1.0"));
        assertThat(lines).contains("tollgate_inflight_requests 0.0");
        String firstToken = "gen_ai_server_time_to_first_token_seconds_count{";
        if (stream) {
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(firstToken).endsWith(" 1"));
        } else {
            assertThat(lines).noneMatch(line -> line.startsWith(firstToken));
        }
    }
}
