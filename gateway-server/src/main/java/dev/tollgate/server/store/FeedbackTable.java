package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendTable.text;

import dev.tollgate.core.prompt.PromptUse;
import dev.tollgate.core.quality.Feedback;
import dev.tollgate.core.quality.FeedbackScore;
import dev.tollgate.core.quality.RequestFacts;
import dev.tollgate.core.quality.ReviewQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The {@code feedback} table, and the look-up of a rated request among the spend rows. Stateless; every method
 * blocks on the connection it is given.
 */
final class FeedbackTable {
    /**
     * Latest wins: a later rating of the same request replaces an earlier one, whichever replica took it. Later by
     * when it was given, not by when it is written: two ratings may reach the database in either order (reader
     * threads run in parallel, replicas race), and the older must not overwrite the newer.
     */
    private static final String UPSERT = """
            INSERT INTO feedback (request_id, client_request_id, request_at_ms, at_ms, key_name, team, model, tier,
                variant, score, score_value, comment)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (request_id) DO UPDATE SET at_ms = excluded.at_ms, score = excluded.score,
                score_value = excluded.score_value, comment = excluded.comment
            WHERE excluded.at_ms >= feedback.at_ms""";

    /** Columns of a feedback row as {@link #feedback(ResultSet, int)} reads them, from {@code at} on. */
    static final String COLUMNS = "request_id, client_request_id, request_at_ms, key_name, team, model, tier, "
            + "variant, at_ms, score, comment";

    /**
     * Chat requests only (feedback is on answers); the id is the one the client was given: the row's own when the
     * gateway chose it, else the client's, kept beside it. The key is compared as {@code key_name || ''}, an
     * expression no index covers: else SQLite, which keeps no statistics, walks the key's index (every request of
     * that key, in a ledger of millions) instead of looking the id up. Package-private so that SqliteLedgerTest can
     * check the plan.
     */
    static final String FIND = """
            SELECT request_id, COALESCE(client_request_id, request_id), at_ms, key_name, team, model, tier, variant,
                prompt_id, prompt_version, prompt_label, experiment, experiment_arm
            FROM spend
            WHERE (request_id = ? OR client_request_id = ?) AND model IS NOT NULL AND route IN ('chat', 'messages')
                AND %s
            ORDER BY at_ms DESC LIMIT 1""";

    private FeedbackTable() {}

    static RequestFacts findRequest(Connection connection, String requestId, String key) throws SQLException {
        String sql = FIND.formatted(key == null ? "key_name IS NULL" : "key_name || '' = ?");
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, requestId);
            select.setString(2, requestId);
            if (key != null) {
                select.setString(3, key);
            }
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new RequestFacts(rs.getString(2), rs.getString(1), Instant.ofEpochMilli(rs.getLong(3)),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        promptUse(rs, 9));
            }
        }
    }

    /**
     * The prompt of a spend or evaluation row, from its five prompt columns starting at {@code first}; null when
     * it rendered none.
     */
    static PromptUse promptUse(ResultSet rs, int first) throws SQLException {
        String id = rs.getString(first);
        if (id == null) {
            return null;
        }
        return new PromptUse(id, rs.getInt(first + 1), rs.getString(first + 2), rs.getString(first + 3),
                rs.getString(first + 4));
    }

    static void save(Connection connection, Feedback f) throws SQLException {
        RequestFacts r = f.request();
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            int i = 0;
            upsert.setString(++i, text(r.spendId()));
            upsert.setString(++i, text(r.requestId()));
            upsert.setLong(++i, r.at().toEpochMilli());
            upsert.setLong(++i, f.at().toEpochMilli());
            upsert.setString(++i, text(r.key()));
            upsert.setString(++i, text(r.team()));
            upsert.setString(++i, text(r.model()));
            upsert.setString(++i, text(r.tier()));
            upsert.setString(++i, text(r.variant()));
            upsert.setString(++i, f.score().label());
            upsert.setDouble(++i, f.score().normalised());
            upsert.setString(++i, text(f.comment()));
            upsert.executeUpdate();
        }
    }

    static List<Feedback> list(Connection connection, ReviewQuery query) throws SQLException {
        return QualityListing.list(connection, "SELECT " + COLUMNS + " FROM feedback", "", query,
                rs -> feedback(rs, 1));
    }

    /** A feedback row read from {@link #COLUMNS} starting at column {@code first}; null when its score is null. */
    static Feedback feedback(ResultSet rs, int first) throws SQLException {
        String score = rs.getString(first + 9);
        if (score == null) {
            return null; // a review sample whose request was not rated (left join)
        }
        var request = new RequestFacts(rs.getString(first + 1), rs.getString(first),
                Instant.ofEpochMilli(rs.getLong(first + 2)), rs.getString(first + 3), rs.getString(first + 4),
                rs.getString(first + 5), rs.getString(first + 6), rs.getString(first + 7), null);
        return new Feedback(request, Instant.ofEpochMilli(rs.getLong(first + 8)), FeedbackScore.ofLabel(score),
                rs.getString(first + 10));
    }
}
