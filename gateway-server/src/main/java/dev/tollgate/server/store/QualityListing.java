package dev.tollgate.server.store;

import dev.tollgate.core.quality.ReviewQuery;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * How the quality tables (feedback, review samples) are listed for the admin API: newest first, within the query's
 * time range, narrowed by model and key when it names them, at most its limit. Every value is a bound parameter.
 */
final class QualityListing {
    /** Reads one row of the result. */
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private QualityListing() {}

    /**
     * @param select a {@code SELECT ... FROM ...} without a {@code WHERE}
     * @param prefix the listed table's alias and a dot ({@code "r."}), or empty; its columns {@code at_ms},
     *     {@code model}, {@code key_name} and {@code request_id} filter and order the rows
     */
    static <T> List<T> list(Connection connection, String select, String prefix, ReviewQuery query, Row<T> row)
            throws SQLException {
        StringBuilder sql = new StringBuilder(select).append(" WHERE ").append(prefix).append("at_ms >= ? AND ")
                .append(prefix).append("at_ms < ?");
        if (query.model() != null) {
            sql.append(" AND ").append(prefix).append("model = ?");
        }
        if (query.key() != null) {
            sql.append(" AND ").append(prefix).append("key_name = ?");
        }
        sql.append(" ORDER BY ").append(prefix).append("at_ms DESC, ").append(prefix).append("request_id LIMIT ?");
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int i = 0;
            statement.setLong(++i, SpendTable.epochMillis(query.since()));
            statement.setLong(++i, SpendTable.epochMillis(query.before()));
            if (query.model() != null) {
                statement.setString(++i, query.model());
            }
            if (query.key() != null) {
                statement.setString(++i, query.key());
            }
            statement.setInt(++i, query.limit());
            List<T> out = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
            return out;
        }
    }
}
