package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendTable.text;

import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import dev.tollgate.core.quality.ReviewRecord;
import dev.tollgate.core.quality.ReviewSample;
import dev.tollgate.core.quality.ReviewText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The {@code review_samples} table. Stateless; every method blocks on the connection it is given. */
final class ReviewTable {
    private static final String INSERT = """
            INSERT INTO review_samples (request_id, client_request_id, at_ms, key_name, team, model, deployment, tier,
                variant, input_tokens, output_tokens, cost_nanos, latency_ms, stream, prompt, prompt_truncated,
                prompt_redactions, answer, answer_truncated, answer_redactions)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (request_id) DO NOTHING""";

    private static final String SELECT = """
            SELECT r.request_id, r.client_request_id, r.at_ms, r.key_name, r.team, r.model, r.deployment, r.tier,
                r.variant, r.input_tokens, r.output_tokens, r.cost_nanos, r.latency_ms, r.stream, r.prompt,
                r.prompt_truncated, r.prompt_redactions, r.answer, r.answer_truncated, r.answer_redactions,
                f.request_id, f.client_request_id, f.request_at_ms, f.key_name, f.team, f.model, f.tier, f.variant,
                f.at_ms, f.score, f.comment
            FROM review_samples r LEFT JOIN feedback f ON f.request_id = r.request_id""";
    private static final int FEEDBACK_FIRST_COLUMN = 21;

    private ReviewTable() {}

    static void insert(Connection connection, List<ReviewSample> samples) throws SQLException {
        Batches.insert(connection, INSERT, samples, ReviewTable::bind);
    }

    private static void bind(PreparedStatement insert, ReviewSample s) throws SQLException {
        RequestFacts r = s.request();
        int i = 0;
        insert.setString(++i, text(r.spendId()));
        insert.setString(++i, text(r.requestId()));
        insert.setLong(++i, r.at().toEpochMilli());
        insert.setString(++i, text(r.key()));
        insert.setString(++i, text(r.team()));
        insert.setString(++i, text(r.model()));
        insert.setString(++i, text(s.deployment()));
        insert.setString(++i, text(r.tier()));
        insert.setString(++i, text(r.variant()));
        insert.setLong(++i, s.usage().inputTokens());
        insert.setLong(++i, s.usage().outputTokens());
        insert.setLong(++i, s.cost().nanos());
        insert.setLong(++i, s.latencyMillis());
        insert.setInt(++i, s.stream() ? 1 : 0);
        insert.setString(++i, text(s.prompt().text()));
        insert.setInt(++i, s.prompt().truncated() ? 1 : 0);
        insert.setInt(++i, s.prompt().redactions());
        insert.setString(++i, text(s.answer().text()));
        insert.setInt(++i, s.answer().truncated() ? 1 : 0);
        insert.setInt(++i, s.answer().redactions());
    }

    static List<ReviewRecord> list(Connection connection, ReviewQuery query) throws SQLException {
        return QualityListing.list(connection, SELECT, "r.", query,
                rs -> new ReviewRecord(sample(rs), FeedbackTable.feedback(rs, FEEDBACK_FIRST_COLUMN)));
    }

    private static ReviewSample sample(ResultSet rs) throws SQLException {
        var request = new RequestFacts(rs.getString(2), rs.getString(1), Instant.ofEpochMilli(rs.getLong(3)),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(8), rs.getString(9),
                null); // reviews keep no prompt-registry columns: a sample is read for its texts
        return new ReviewSample(request, rs.getString(7), Usage.reported(rs.getLong(10), rs.getLong(11)),
                new Money(rs.getLong(12)), rs.getLong(13), rs.getInt(14) == 1,
                new ReviewText(rs.getString(15), rs.getInt(16) == 1, rs.getInt(17)),
                new ReviewText(rs.getString(18), rs.getInt(19) == 1, rs.getInt(20)));
    }

    static int prune(Connection connection, Instant before) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM review_samples WHERE at_ms < ?")) {
            delete.setLong(1, SpendTable.epochMillis(before));
            return delete.executeUpdate();
        }
    }
}
