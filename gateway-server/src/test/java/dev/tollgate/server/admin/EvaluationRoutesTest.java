package dev.tollgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluationStore;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.testing.EvaluationResults;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The evaluation routes over an in-memory store: paging that neither skips nor repeats results sharing a
 * millisecond, the export's pieces and its cap, every parameter's check, and how a bias run's outcomes answer.
 */
class EvaluationRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-03-10T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(3600), ZoneOffset.UTC);
    private static final AdminApi.Auditing NOT_AUDITED = (action, actor, details, change) -> change.get();

    /** The store's contract in memory: newest first, ties by request and evaluator, every filter. */
    private record MemoryStore(List<EvaluationResult> rows, AtomicInteger reads) implements EvaluationStore {
        MemoryStore(List<EvaluationResult> rows) {
            this(rows, new AtomicInteger());
        }

        @Override
        public void saveEvaluations(List<EvaluationResult> results) {
            rows.addAll(results);
        }

        @Override
        public CompletionStage<List<EvaluationResult>> evaluations(EvaluationQuery q) {
            reads.incrementAndGet();
            return CompletableFuture.completedFuture(rows.stream()
                    .filter(r -> !r.at().isBefore(q.since()) && r.at().isBefore(q.before()))
                    .filter(r -> q.evaluator() == null || q.evaluator().equals(r.evaluator()))
                    .filter(r -> q.model() == null || q.model().equals(r.request().model()))
                    .filter(r -> q.outcome() == null || q.outcome() == r.outcome())
                    .filter(r -> q.minScore() == null || r.score() != null && r.score() >= q.minScore())
                    .filter(r -> q.maxScore() == null || r.score() != null && r.score() <= q.maxScore())
                    .filter(r -> q.flagged() == null || q.flagged() == r.flagged())
                    .sorted(Comparator.comparing(EvaluationResult::at).reversed()
                            .thenComparing(r -> r.request().spendId()).thenComparing(EvaluationResult::evaluator))
                    .limit(q.limit()).toList());
        }

        @Override
        public CompletionStage<Integer> pruneEvaluations(Instant before) {
            throw new UnsupportedOperationException();
        }
    }

    private static EvaluationRoutes routes(EvaluationStore store, BiasRuns bias, int maxExport) {
        return new EvaluationRoutes(store, bias, NOT_AUDITED, CLOCK, maxExport);
    }

    private static Reply get(EvaluationRoutes routes, String uri) {
        var decoder = new QueryStringDecoder(uri);
        String[] parts = decoder.path().substring("/admin/".length()).split("/", -1);
        return routes.route(parts, decoder, "", "tester").toCompletableFuture().join();
    }

    private static JsonNode json(Reply reply) throws Exception {
        return JSON.readTree(reply.body());
    }

    /** Every line of a streamed reply, asking for each piece as the connection would. */
    private static List<String> lines(Reply reply) {
        assertThat(reply.contentType()).isEqualTo("application/x-ndjson");
        List<String> lines = new ArrayList<>();
        for (String piece = next(reply); piece != null; piece = next(reply)) {
            if (!piece.isEmpty()) {
                assertThat(piece).endsWith("\n");
                lines.addAll(List.of(piece.split("\n")));
            }
        }
        return lines;
    }

    private static String next(Reply reply) {
        return reply.streamed().next().toCompletableFuture().join();
    }

    /**
     * Results at random times, many sharing a millisecond (whole pages of one, too); paging with next_before reads
     * each exactly once, in the store's order, for any page size.
     */
    @Test
    void pagingReadsEveryResultOnceThoughManyShareAMillisecond() throws Exception {
        var random = new Random(12);
        List<EvaluationResult> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // Milliseconds 0..39 with a crowd at 7: more results there than some pages hold.
            long ms = random.nextInt(4) == 0 ? 7 : random.nextInt(40);
            rows.add(EvaluationResults.scored("r" + i, T0.plusMillis(ms), "faith", "m", random.nextInt(5) / 4.0));
        }
        var store = new MemoryStore(rows);
        List<String> expected = store.evaluations(new EvaluationQuery(null, null, null, null, null, null,
                Instant.EPOCH, Instant.MAX, 1000)).toCompletableFuture().join().stream()
                .map(r -> r.request().spendId()).toList();
        for (int limit : new int[] {1, 3, 10, 50, 299, 1000}) {
            List<String> seen = new ArrayList<>();
            String before = null;
            do {
                JsonNode page = json(get(routes(store, null, 100), "/admin/evaluations?since=2026-03-10&limit=" + limit
                        + (before == null ? "" : "&before=" + before)));
                assertThat(page.path("evaluations").size()).isLessThanOrEqualTo(Math.max(limit, 1000));
                page.path("evaluations").forEach(r -> seen.add(r.path("spend_id").asText()));
                before = page.path("next_before").isNull() ? null : page.path("next_before").asText();
            } while (before != null);
            assertThat(seen).as("limit " + limit).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aResultIsShownWithEveryFieldInSnakeCase() throws Exception {
        var store = new MemoryStore(new ArrayList<>(List.of(EvaluationResults.unusual("odd", T0),
                EvaluationResults.unparseable("none", T0.minusSeconds(1), "tox", "m"))));
        JsonNode page = json(get(routes(store, null, 100), "/admin/evaluations"));
        JsonNode odd = page.path("evaluations").get(0);
        assertThat(odd.path("request_id").asText()).isEqualTo("client-odd");
        assertThat(odd.path("spend_id").asText()).isEqualTo("odd");
        assertThat(odd.path("request_at").asText()).isEqualTo("2026-03-10T11:59:58.766Z");
        assertThat(odd.path("prompt_id").asText()).isEqualTo("support-answer");
        assertThat(odd.path("prompt_version").asInt()).isEqualTo(3);
        assertThat(odd.path("experiment_arm").asText()).isEqualTo("b");
        assertThat(odd.path("variant").asText()).isEqualTo("canary/claude");
        assertThat(odd.path("kind").asText()).isEqualTo("consistency");
        assertThat(odd.path("outcome").asText()).isEqualTo("scored");
        assertThat(odd.path("score").asDouble()).isEqualTo(0.125);
        assertThat(odd.path("flagged").asBoolean()).isTrue();
        assertThat(odd.path("cost_usd").asText()).isEqualTo("0.123456789");
        assertThat(odd.path("detail").asText()).isEqualTo("samples=2");
        JsonNode none = page.path("evaluations").get(1);
        assertThat(none.has("score")).isTrue();
        assertThat(none.path("score").isNull()).isTrue();
        assertThat(none.path("rationale").isNull()).isTrue();
        assertThat(none.path("cost_usd").asText()).isEqualTo("0");
        assertThat(page.path("next_before").isNull()).isTrue();
    }

    @Test
    void filtersReachTheStore() throws Exception {
        var store = new MemoryStore(new ArrayList<>(List.of(
                EvaluationResults.scored("low", T0, "faith", "gpt", 0.25),
                EvaluationResults.scored("high", T0.plusSeconds(1), "faith", "gpt", 1.0),
                EvaluationResults.scored("other", T0.plusSeconds(2), "tox", "claude", 0.75),
                EvaluationResults.unparseable("none", T0.plusSeconds(3), "faith", "gpt"))));
        var routes = routes(store, null, 100);
        assertThat(ids(get(routes, "/admin/evaluations?evaluator=faith"))).containsExactly("none", "high", "low");
        assertThat(ids(get(routes, "/admin/evaluations?model=claude"))).containsExactly("other");
        assertThat(ids(get(routes, "/admin/evaluations?outcome=unparseable"))).containsExactly("none");
        assertThat(ids(get(routes, "/admin/evaluations?min_score=0.5&max_score=0.9"))).containsExactly("other");
        assertThat(ids(get(routes, "/admin/evaluations?flagged=true"))).containsExactly("low");
        assertThat(ids(get(routes, "/admin/evaluations?since=2026-03-10T12:00:01Z&before=2026-03-10T12:00:03Z")))
                .containsExactly("other", "high");
        assertThat(ids(get(routes, "/admin/evaluations?since=2026-03-11"))).isEmpty();
    }

    private static List<String> ids(Reply reply) throws Exception {
        List<String> ids = new ArrayList<>();
        json(reply).path("evaluations").forEach(r -> ids.add(r.path("spend_id").asText()));
        return ids;
    }

    @Test
    void everyBadParameterIsRefusedNamingIt() {
        var routes = routes(new MemoryStore(new ArrayList<>()), null, 100);
        String[][] cases = {
                {"limit=0", "'limit' must be a whole number from 1 to 1000."},
                {"limit=1001", "'limit'"}, {"limit=ten", "'limit'"},
                {"min_score=-0.1", "'min_score' must be a number from 0 to 1."},
                {"max_score=1.5", "'max_score'"}, {"min_score=NaN", "'min_score'"}, {"max_score=x", "'max_score'"},
                {"min_score=0.8&max_score=0.2", "'min_score' must not be above 'max_score'."},
                {"flagged=yes", "'flagged' must be true or false."},
                {"outcome=good", "'outcome' must be one of scored, unparseable, refused, failed."},
                {"since=yesterday", "'since'"}, {"before=2026-13-01", "'before'"},
                {"since=2026-03-10&before=2026-03-09", "'before' must be after 'since'."}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> get(routes, "/admin/evaluations?" + c[0])).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[1]);
        }
        assertThatThrownBy(() -> get(routes, "/admin/evaluations/export?flagged=1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'flagged'");
    }

    @Test
    void withoutALedgerTheResultsAreAConflict() {
        Reply reply = get(routes(null, null, 100), "/admin/evaluations/export");
        assertThat(reply.status()).isEqualTo(HttpResponseStatus.CONFLICT);
        assertThat(reply.body()).contains("storage.ledger");
    }

    @Test
    void anExportSendsEveryResultAsALineReadingAPageAtATime() throws Exception {
        List<EvaluationResult> rows = new ArrayList<>();
        for (int i = 0; i < 2 * EvaluationRoutes.EXPORT_PAGE + 7; i++) {
            rows.add(EvaluationResults.scored(String.format("r%04d", i), T0.plusMillis(i / 3), "faith", "m", 0.5));
        }
        rows.add(EvaluationResults.scored("other", T0, "tox", "m", 0.5));
        var store = new MemoryStore(rows);
        Reply reply = get(routes(store, null, 100_000), "/admin/evaluations/export?evaluator=faith");
        int readsBeforeSending = store.reads().get();
        List<String> lines = lines(reply);
        assertThat(lines).hasSize(2 * EvaluationRoutes.EXPORT_PAGE + 7);
        assertThat(readsBeforeSending).isEqualTo(1); // the first page only: the rest as it is sent
        assertThat(store.reads().get()).isGreaterThanOrEqualTo(3);
        List<String> ids = new ArrayList<>();
        for (String line : lines) {
            JsonNode result = JSON.readTree(line);
            assertThat(result.path("evaluator").asText()).isEqualTo("faith");
            ids.add(result.path("spend_id").asText());
        }
        // The newest millisecond holds r0405 and r0406: ties read in order of request.
        assertThat(ids).doesNotHaveDuplicates().first().isEqualTo("r0405");
        assertThat(next(reply)).as("a finished body stays finished").isNull();
    }

    @Test
    void anExportStopsAtItsMaximumWithANoteThatLeadsToTheRest() throws Exception {
        List<EvaluationResult> rows = new ArrayList<>();
        for (int i = 0; i < 3 * EvaluationRoutes.EXPORT_PAGE; i++) {
            rows.add(EvaluationResults.scored(String.format("r%04d", i), T0.plusSeconds(i), "faith", "m", 0.5));
        }
        var store = new MemoryStore(rows);
        int max = 2 * EvaluationRoutes.EXPORT_PAGE + 50;
        List<String> lines = lines(get(routes(store, null, max), "/admin/evaluations/export"));
        // Whole pages only, so fewer than the maximum: the next page would have passed it.
        assertThat(lines.size() - 1).isBetween(max - EvaluationRoutes.EXPORT_PAGE, max);
        assertThat(lines.getLast()).startsWith("{\"truncated\":");
        JsonNode note = JSON.readTree(lines.getLast());
        assertThat(note.path("truncated").asBoolean()).isTrue();
        assertThat(note.path("max_rows").asInt()).isEqualTo(max);
        List<String> rest = lines(get(routes(store, null, 100_000), "/admin/evaluations/export?before="
                + note.path("next_before").asText()));
        List<String> ids = new ArrayList<>();
        for (String line : lines.subList(0, lines.size() - 1)) {
            ids.add(JSON.readTree(line).path("spend_id").asText());
        }
        for (String line : rest) {
            ids.add(JSON.readTree(line).path("spend_id").asText());
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(rows.size());
    }

    @Test
    void anEmptyExportIsAnEmptyBody() {
        assertThat(lines(get(routes(new MemoryStore(new ArrayList<>()), null, 100), "/admin/evaluations/export")))
                .isEmpty();
    }

    private static Reply biasRun(BiasRuns runs, String body) {
        return routes(new MemoryStore(new ArrayList<>()), runs, 100)
                .route(new String[] {"evaluations", "bias", "run"}, new QueryStringDecoder("/"), body, "tester")
                .toCompletableFuture().join();
    }

    @Test
    void aBiasRunAnswersWhatTheEngineSays() throws Exception {
        List<String> asked = new ArrayList<>();
        BiasRuns engine = evaluator -> {
            asked.add(String.valueOf(evaluator));
            return switch (String.valueOf(evaluator)) {
                case "ghost" -> CompletableFuture.failedFuture(new IllegalArgumentException("no such evaluator"));
                case "thrower" -> throw new IllegalStateException("the config has no bias evaluator");
                default -> CompletableFuture.completedFuture(12);
            };
        };
        Reply all = biasRun(engine, "");
        assertThat(all.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(json(all).path("started_pairs").asInt()).isEqualTo(12);
        assertThat(json(all).path("evaluator").isNull()).isTrue();
        assertThat(json(biasRun(engine, "{\"evaluator\":\"fairness\"}")).path("evaluator").asText())
                .isEqualTo("fairness");
        assertThat(biasRun(engine, "{}").status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        Reply unknown = biasRun(engine, "{\"evaluator\":\"ghost\"}");
        assertThat(unknown.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        // The route words its answers in the admin API's sentences, whatever the engine's exceptions say.
        assertThat(json(unknown).at("/error/message").asText())
                .isEqualTo("No bias evaluator is named 'ghost' in the config in force.");
        Reply none = biasRun(engine, "{\"evaluator\":\"thrower\"}");
        assertThat(none.status()).isEqualTo(HttpResponseStatus.CONFLICT);
        assertThat(json(none).at("/error/message").asText()).isEqualTo(EvaluationRoutes.NO_BIAS);
        assertThat(asked).containsExactly("null", "fairness", "null", "ghost", "thrower");

        Reply off = biasRun(null, "");
        assertThat(off.status()).isEqualTo(HttpResponseStatus.CONFLICT);
        assertThat(json(off).at("/error/message").asText()).isEqualTo(EvaluationRoutes.NO_BIAS);
        for (String bad : new String[] {"{\"evaluator\":3}", "{\"evaluator\":\"\"}", "[1]", "{nope"}) {
            assertThatThrownBy(() -> biasRun(engine, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(asked).hasSize(5); // a bad body starts nothing
    }
}
