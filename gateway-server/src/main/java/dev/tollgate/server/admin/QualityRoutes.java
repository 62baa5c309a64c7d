package dev.tollgate.server.admin;

import static dev.tollgate.server.admin.AdminApi.done;
import static dev.tollgate.server.admin.AdminApi.param;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.QualityStore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import dev.tollgate.core.quality.ReviewRecord;
import dev.tollgate.core.quality.ReviewSample;
import dev.tollgate.server.admin.AdminApi.Reply;
import dev.tollgate.server.quality.ScoreJson;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The admin routes of answer quality: review samples (with the feedback their requests got) and feedback.
 * Listings are newest first and bounded by {@code limit} (at most {@value ReviewQuery#MAX_LIMIT}); the
 * {@code at} of a page's last item, given as {@code before}, asks for the next page.
 *
 * <pre>
 *  GET /admin/reviews         ?model&amp;key&amp;since&amp;before&amp;limit   samples as JSON ({"data":[...]}), limit 50 by default
 *  GET /admin/reviews/export  ?model&amp;key&amp;since&amp;before&amp;limit   the same as JSON lines (application/x-ndjson),
 *                                                         one sample a line, limit 1000 by default
 *  GET /admin/feedback        ?model&amp;key&amp;since&amp;before&amp;limit   feedback as JSON, limit 50 by default
 * </pre>
 *
 * {@code since} and {@code before} are dates ({@code 2026-11-01}) or instants; {@code since} defaults to 30 days
 * ago. Texts are shown as stored: PII-redacted.
 */
final class QualityRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PARAMS = Set.of("model", "key", "since", "before", "limit");
    static final String NDJSON = "application/x-ndjson";
    private static final int PAGE = 50;

    private final QualityStore store;
    private final Clock clock;

    /** @param store null when there is no ledger */
    QualityRoutes(QualityStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The methods a path under {@code reviews} or {@code feedback} answers; none when it is not a route. */
    static Set<HttpMethod> methods(String[] parts) {
        boolean route = parts.length == 1 || parts.length == 2 && parts[0].equals("reviews")
                && parts[1].equals("export");
        return route ? Set.of(HttpMethod.GET) : Set.of();
    }

    static Set<String> params() {
        return PARAMS;
    }

    /** Answers a request already checked against {@link #methods} and {@link #params}. */
    CompletionStage<Reply> route(String[] parts, QueryStringDecoder uri) {
        boolean export = parts.length == 2;
        ReviewQuery query = query(uri, export ? ReviewQuery.MAX_LIMIT : PAGE);
        if (store == null) {
            return done(Reply.error(HttpResponseStatus.CONFLICT, "Feedback and review samples need the ledger "
                    + "(storage.ledger)."));
        }
        if (parts[0].equals("feedback")) {
            return store.feedback(query).thenApply(QualityRoutes::feedbackList);
        }
        return store.reviews(query).thenApply(export ? QualityRoutes::jsonLines : QualityRoutes::reviewList);
    }

    private ReviewQuery query(QueryStringDecoder uri, int defaultLimit) {
        Window window = Window.of(uri, clock.instant());
        return new ReviewQuery(param(uri, "model"), param(uri, "key"), window.since(), window.before(),
                Window.limit(uri, defaultLimit, ReviewQuery.MAX_LIMIT));
    }

    private static Reply reviewList(List<ReviewRecord> records) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        records.forEach(r -> data.add(review(r)));
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private static Reply jsonLines(List<ReviewRecord> records) {
        StringBuilder out = new StringBuilder();
        for (ReviewRecord r : records) {
            out.append(review(r).toString()).append('\n');
        }
        return new Reply(HttpResponseStatus.OK, NDJSON, out.toString());
    }

    private static Reply feedbackList(List<Feedback> feedback) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (Feedback f : feedback) {
            ObjectNode row = request(f.request());
            row.setAll(rating(f));
            data.add(row);
        }
        return Reply.json(HttpResponseStatus.OK, out);
    }

    private static ObjectNode review(ReviewRecord record) {
        ReviewSample s = record.sample();
        ObjectNode out = request(s.request()).put("deployment", s.deployment())
                .put("input_tokens", s.usage().inputTokens()).put("output_tokens", s.usage().outputTokens())
                .put("cost_usd", s.cost().usd()).put("latency_ms", s.latencyMillis()).put("stream", s.stream())
                .put("prompt", s.prompt().text()).put("prompt_truncated", s.prompt().truncated())
                .put("prompt_redactions", s.prompt().redactions())
                .put("answer", s.answer().text()).put("answer_truncated", s.answer().truncated())
                .put("answer_redactions", s.answer().redactions());
        out.set("feedback", record.feedback() == null ? null : rating(record.feedback()));
        return out;
    }

    private static ObjectNode request(RequestFacts r) {
        return JSON.createObjectNode().put("request_id", r.requestId()).put("spend_id", r.spendId())
                .put("at", r.at().toString()).put("key", r.key()).put("team", r.team()).put("model", r.model())
                .put("tier", r.tier()).put("variant", r.variant());
    }

    private static ObjectNode rating(Feedback f) {
        return ScoreJson.put(JSON.createObjectNode(), f.score()).put("comment", f.comment())
                .put("rated_at", f.at().toString());
    }
}
