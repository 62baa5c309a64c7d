package dev.tollgate.server.store;

import dev.tollgate.core.ledger.ArmTotals;
import dev.tollgate.core.ledger.GroupBy;
import dev.tollgate.core.ledger.ReportQuery;
import dev.tollgate.core.ledger.ReportRow;
import dev.tollgate.core.ledger.SpendRow;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.observe.Outcome;
import dev.tollgate.core.pricing.Money;
import dev.tollgate.core.prompt.PromptUse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one mapping between {@link SpendRow} and the {@code spend} table, for both dialects: the insert, the report
 * query and the sums per experiment arm. Stateless; every method blocks on the connection it is given.
 */
final class SpendTable {
    private static final String INSERT = """
            INSERT INTO spend (request_id, at_ms, day, key_name, team, user_name, route, model, deployment, provider,
                input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, usage_reported,
                cost_nanos, cost_estimated, outcome, status, cache_hit, stream, latency_ms, client_request_id, tier,
                variant, prompt_id, prompt_version, prompt_label, experiment, experiment_arm)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (request_id) DO NOTHING""";

    private static final String SUCCESS = Outcome.SUCCESS.label();

    /**
     * Per arm of one experiment: counts, sums and sums of squares (for variances), and the feedback of its requests
     * (at most one row per request: the feedback table's key). Squares are taken as doubles, where no latency
     * overflows. Errors are the outcomes the request itself brought about (see {@link ArmTotals#errors()}); the
     * latency is over the requests the arm handled (see {@link ArmTotals#handled()}). Package-private so that
     * SqliteLedgerTest can check its query plan.
     */
    static final String ARMS = """
            SELECT s.experiment_arm, COUNT(*),
                SUM(CASE WHEN s.outcome IN ('%1$s', '%2$s', '%3$s') THEN 1 ELSE 0 END),
                SUM(CASE WHEN s.outcome IN (%4$s) THEN 0 ELSE 1 END),
                SUM(CASE WHEN s.outcome IN (%4$s) THEN 0 ELSE s.latency_ms END),
                SUM(CASE WHEN s.outcome IN (%4$s) THEN 0
                    ELSE CAST(s.latency_ms AS DOUBLE PRECISION) * s.latency_ms END),
                MAX(CASE WHEN s.outcome IN (%4$s) THEN NULL ELSE s.latency_ms END),
                SUM(s.input_tokens), SUM(s.output_tokens), SUM(s.cost_nanos),
                COUNT(f.score_value), SUM(f.score_value), SUM(f.score_value * f.score_value)
            FROM spend s LEFT JOIN feedback f ON f.request_id = s.request_id
            WHERE s.experiment = ? AND s.at_ms >= ? AND s.experiment_arm IS NOT NULL
            GROUP BY s.experiment_arm""".formatted(Outcome.CALLER_ERROR.label(), Outcome.PROVIDER_ERROR.label(),
            Outcome.GATEWAY_ERROR.label(),
            "'" + Outcome.POLICY_DENIED.label() + "', '" + Outcome.CLIENT_CANCELLED.label() + "'");

    /** Report groups: the biggest spender first, then by name so that ties read in a stable order. */
    private static final Comparator<ReportRow> REPORT_ORDER = Comparator
            .comparing(ReportRow::cost, Comparator.reverseOrder())
            .thenComparing(ReportRow::group, Comparator.nullsLast(Comparator.naturalOrder()));

    private SpendTable() {}

    /**
     * Inserts {@code rows} in one transaction; rows whose request id is already there are skipped, so writing a
     * batch twice (a replay after a commit whose answer was lost) changes nothing.
     */
    static void insert(Connection connection, List<SpendRow> rows) throws SQLException {
        Batches.insert(connection, INSERT, rows, SpendTable::bind);
    }

    private static void bind(PreparedStatement insert, SpendRow row) throws SQLException {
        Usage usage = row.usage();
        int i = 0;
        insert.setString(++i, text(row.requestId()));
        insert.setLong(++i, epochMillis(row.at()));
        insert.setString(++i, day(row.at()));
        insert.setString(++i, text(row.key()));
        insert.setString(++i, text(row.team()));
        insert.setString(++i, text(row.user()));
        insert.setString(++i, text(row.route()));
        insert.setString(++i, text(row.model()));
        insert.setString(++i, text(row.deployment()));
        insert.setString(++i, text(row.provider()));
        insert.setLong(++i, usage.inputTokens());
        insert.setLong(++i, usage.outputTokens());
        insert.setLong(++i, usage.cachedInputTokens());
        insert.setLong(++i, usage.cacheWriteTokens());
        insert.setLong(++i, usage.reasoningTokens());
        insert.setInt(++i, flag(usage.reported()));
        insert.setLong(++i, row.cost().nanos());
        insert.setInt(++i, flag(row.costEstimated()));
        insert.setString(++i, row.outcome().label());
        insert.setInt(++i, row.status());
        insert.setInt(++i, flag(row.cacheHit()));
        insert.setInt(++i, flag(row.stream()));
        insert.setLong(++i, row.latencyMillis());
        insert.setString(++i, text(row.clientRequestId()));
        insert.setString(++i, text(row.tier()));
        insert.setString(++i, text(row.variant()));
        bindPrompt(insert, i, row.prompt());
    }

    /**
     * Binds the five prompt columns (id, version, label, experiment, arm) after parameter {@code last}, all null
     * when {@code prompt} is; returns the last parameter bound.
     */
    static int bindPrompt(PreparedStatement statement, int last, PromptUse prompt) throws SQLException {
        int i = last;
        statement.setString(++i, prompt == null ? null : text(prompt.id()));
        if (prompt == null) {
            statement.setNull(++i, Types.INTEGER);
        } else {
            statement.setInt(++i, prompt.version());
        }
        statement.setString(++i, prompt == null ? null : text(prompt.label()));
        statement.setString(++i, prompt == null ? null : text(prompt.experiment()));
        statement.setString(++i, prompt == null ? null : text(prompt.arm()));
        return i;
    }

    /**
     * Sums the rows in the query's range per group, biggest cost first. The ordering is done here rather than in
     * SQL because the databases sort text and nulls differently; a report has one row per group, few enough.
     */
    static List<ReportRow> report(Connection connection, ReportQuery query) throws SQLException {
        String group = column(query.groupBy());
        StringBuilder sql = new StringBuilder()
                .append("SELECT ").append(group).append(", COUNT(*),")
                .append(" SUM(CASE WHEN outcome <> '").append(SUCCESS).append("' THEN 1 ELSE 0 END),")
                .append(" SUM(input_tokens), SUM(output_tokens), SUM(cached_input_tokens), SUM(reasoning_tokens),")
                .append(" SUM(cost_nanos), SUM(cost_estimated), SUM(cache_hit)")
                .append(" FROM spend WHERE at_ms >= ? AND at_ms < ?");
        if (query.key() != null) {
            sql.append(" AND key_name = ?");
        }
        if (query.team() != null) {
            sql.append(" AND team = ?");
        }
        sql.append(" GROUP BY ").append(group);
        List<ReportRow> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int i = 0;
            select.setLong(++i, epochMillis(query.from()));
            select.setLong(++i, epochMillis(query.to()));
            if (query.key() != null) {
                select.setString(++i, query.key());
            }
            if (query.team() != null) {
                select.setString(++i, query.team());
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    rows.add(new ReportRow(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), new Money(rs.getLong(8)), rs.getLong(9),
                            rs.getLong(10)));
                }
            }
        }
        rows.sort(REPORT_ORDER);
        return rows;
    }

    /** The sums of each arm of {@code experiment} over requests at or after {@code since}, by arm name. */
    static List<ArmTotals> experiment(Connection connection, String experiment, Instant since) throws SQLException {
        List<ArmTotals> arms = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(ARMS)) {
            select.setString(1, experiment);
            select.setLong(2, epochMillis(since));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    arms.add(new ArmTotals(rs.getString(1), rs.getLong(2), rs.getLong(3),
                            new ArmTotals.Moments(rs.getLong(4), rs.getDouble(5), rs.getDouble(6)), rs.getLong(7),
                            rs.getLong(8), rs.getLong(9), new Money(rs.getLong(10)),
                            new ArmTotals.Moments(rs.getLong(11), rs.getDouble(12), rs.getDouble(13))));
                }
            }
        }
        arms.sort(Comparator.comparing(ArmTotals::arm));
        return arms;
    }

    private static String column(GroupBy groupBy) {
        return switch (groupBy) {
            case KEY -> "key_name";
            case TEAM -> "team";
            case USER -> "user_name";
            case MODEL -> "model";
            case DEPLOYMENT -> "deployment";
            case DAY -> "day";
        };
    }

    /** The UTC day, computed once at insert, so that grouping by day is the same plain column everywhere. */
    static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    /** Epoch milliseconds, saturated: a query up to {@link Instant#MAX} (the lifetime period) is valid. */
    static long epochMillis(Instant at) {
        try {
            return at.toEpochMilli();
        } catch (ArithmeticException e) {
            return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static int flag(boolean value) {
        return value ? 1 : 0;
    }

    /**
     * PostgreSQL refuses text holding U+0000, and a client chooses the user name: a NUL would make the whole
     * batch fail. It becomes U+FFFD, as any other unreadable character would.
     */
    static String text(String value) {
        return value == null || value.indexOf('\0') < 0 ? value : value.replace('\0', '\uFFFD');
    }
}
