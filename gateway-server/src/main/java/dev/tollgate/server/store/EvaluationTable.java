package dev.tollgate.server.store;

import static dev.tollgate.server.store.SpendTable.text;

import dev.tollgate.core.eval.EvalOutcome;
import dev.tollgate.core.eval.EvaluationQuery;
import dev.tollgate.core.eval.EvaluationResult;
import dev.tollgate.core.eval.EvaluatorKind;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.quality.RequestFacts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code evaluation} table. Stateless; every method blocks on the connection it is given. Listings are newest
 * first, ties in order of request and evaluator, so that the same query always reads the same rows in the same
 * order; every value is a bound parameter.
 */
final class EvaluationTable {
    private static final String COLUMNS = """
            request_id, spend_id, request_at_ms, key_name, team, model, tier, variant, prompt_id, prompt_version,
                prompt_label, experiment, experiment_arm, at_ms, evaluator, kind, rubric, outcome, score, flagged,
                rationale, prompt, answer, cost_nanos, detail""";

    private static final String INSERT = "INSERT INTO evaluation (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** The first of the five prompt columns, as {@link FeedbackTable#promptUse} reads them. */
    private static final int PROMPT_FIRST_COLUMN = 9;

    private EvaluationTable() {}

    /** Inserts {@code results} in one transaction: all of them or, when the database fails, none. */
    static void insert(Connection connection, List<EvaluationResult> results) throws SQLException {
        Batches.insert(connection, INSERT, results, EvaluationTable::bind);
    }

    private static void bind(PreparedStatement insert, EvaluationResult e) throws SQLException {
        RequestFacts r = e.request();
        int i = 0;
        insert.setString(++i, text(r.requestId()));
        insert.setString(++i, text(r.spendId()));
        insert.setLong(++i, r.at().toEpochMilli());
        insert.setString(++i, text(r.key()));
        insert.setString(++i, text(r.team()));
        insert.setString(++i, text(r.model()));
        insert.setString(++i, text(r.tier()));
        insert.setString(++i, text(r.variant()));
        i = SpendTable.bindPrompt(insert, i, r.prompt());
        insert.setLong(++i, e.at().toEpochMilli());
        insert.setString(++i, text(e.evaluator()));
        insert.setString(++i, e.kind().label());
        insert.setString(++i, text(e.rubric()));
        insert.setString(++i, e.outcome().label());
        if (e.score() == null) {
            insert.setNull(++i, Types.DOUBLE);
        } else {
            insert.setDouble(++i, e.score());
        }
        insert.setInt(++i, e.flagged() ? 1 : 0);
        insert.setString(++i, text(e.rationale()));
        insert.setString(++i, text(e.prompt()));
        insert.setString(++i, text(e.answer()));
        insert.setLong(++i, e.cost().nanos());
        insert.setString(++i, text(e.detail()));
    }

    static List<EvaluationResult> list(Connection connection, EvaluationQuery query) throws SQLException {
        var where = new Where();
        where.add("at_ms >= ?", SpendTable.epochMillis(query.since()));
        where.add("at_ms < ?", SpendTable.epochMillis(query.before()));
        where.addIf("evaluator = ?", query.evaluator());
        where.addIf("model = ?", query.model());
        where.addIf("outcome = ?", query.outcome() == null ? null : query.outcome().label());
        where.addIf("score >= ?", query.minScore());
        where.addIf("score <= ?", query.maxScore());
        where.addIf("flagged = ?", query.flagged() == null ? null : query.flagged() ? 1 : 0);
        String sql = "SELECT " + COLUMNS + " FROM evaluation WHERE " + String.join(" AND ", where.conditions)
                + " ORDER BY at_ms DESC, spend_id, evaluator LIMIT ?";
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 0;
            for (Object value : where.values) {
                select.setObject(++i, value);
            }
            select.setInt(++i, query.limit());
            List<EvaluationResult> out = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    out.add(result(rs));
                }
            }
            return out;
        }
    }

    /** The conditions of a listing and their values, in the order they are bound. */
    private static final class Where {
        final List<String> conditions = new ArrayList<>();
        final List<Object> values = new ArrayList<>();

        void add(String condition, Object value) {
            conditions.add(condition);
            values.add(value);
        }

        /** A condition the query may leave out: only when it has a value. */
        void addIf(String condition, Object value) {
            if (value != null) {
                add(condition, value);
            }
        }
    }

    private static EvaluationResult result(ResultSet rs) throws SQLException {
        var request = new RequestFacts(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                FeedbackTable.promptUse(rs, PROMPT_FIRST_COLUMN));
        double value = rs.getDouble(19);
        Double score = rs.wasNull() ? null : value; // read at once: wasNull speaks of the last column read
        return new EvaluationResult(request, Instant.ofEpochMilli(rs.getLong(14)), rs.getString(15),
                EvaluatorKind.valueOf(rs.getString(16).toUpperCase(Locale.ROOT)), rs.getString(17),
                EvalOutcome.valueOf(rs.getString(18).toUpperCase(Locale.ROOT)), score,
                rs.getInt(20) == 1, rs.getString(21), rs.getString(22), rs.getString(23), new Money(rs.getLong(24)),
                rs.getString(25));
    }

    static int prune(Connection connection, Instant before) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM evaluation WHERE at_ms < ?")) {
            delete.setLong(1, SpendTable.epochMillis(before));
            return delete.executeUpdate();
        }
    }
}
