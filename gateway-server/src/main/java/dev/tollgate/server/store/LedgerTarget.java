package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the ledger lives, parsed from the {@code storage.ledger} string. A PostgreSQL target may carry a password
 * (as a query parameter or in {@code user:password@}); it is kept in {@link #driverProperties()} only, never in the
 * URL, and {@link #toString()} (what logs and errors show) names the host and database alone.
 */
sealed interface LedgerTarget {

    SqlDialect dialect();

    /** The JDBC URL without credentials. */
    String jdbcUrl();

    /** Properties handed to the driver with every connection (credentials and tuning). */
    Map<String, String> driverProperties();

    /**
     * Parses {@code sqlite:<path>}, or {@code postgresql://[user[:password]@]host[:port]/db[?param=value&...]}
     * (also spelled {@code postgres://} or {@code jdbc:postgresql://}; parameters such as {@code user},
     * {@code password} and {@code currentSchema} go to the driver).
     *
     * @throws IllegalArgumentException naming what is wrong, never repeating the text (it may hold a password)
     */
    static LedgerTarget parse(String text) {
        requireNonNull(text, "text");
        for (String prefix : new String[] {"jdbc:sqlite:", "sqlite:"}) {
            if (text.startsWith(prefix)) {
                String path = text.substring(prefix.length());
                if (path.isBlank()) {
                    throw new IllegalArgumentException("storage.ledger: sqlite: needs a file path");
                }
                return new Sqlite(Path.of(path));
            }
        }
        for (String prefix : new String[] {"jdbc:postgresql://", "postgresql://", "postgres://"}) {
            if (text.startsWith(prefix)) {
                return Postgres.parse(text.substring(prefix.length()));
            }
        }
        throw new IllegalArgumentException("storage.ledger must start with sqlite: or postgresql://");
    }

    /** An embedded database file. WAL lets reports read while the writer writes. */
    record Sqlite(Path file) implements LedgerTarget {
        public Sqlite {
            requireNonNull(file, "file");
        }

        @Override
        public SqlDialect dialect() {
            return SqlDialect.SQLITE;
        }

        @Override
        public String jdbcUrl() {
            // Absolute, so that a file named like ":memory:" stays a file.
            return "jdbc:sqlite:" + file.toAbsolutePath();
        }

        @Override
        public Map<String, String> driverProperties() {
            // synchronous=FULL: a committed batch survives a power cut, as the spill file's fsync does.
            return Map.of("journal_mode", "WAL", "synchronous", "FULL", "busy_timeout", "5000");
        }

        @Override
        public String toString() {
            return "sqlite:" + file;
        }
    }

    /** A PostgreSQL database shared by replicas. */
    record Postgres(String host, int port, String database, Map<String, String> parameters)
            implements LedgerTarget {
        private static final int DEFAULT_PORT = 5432;

        public Postgres {
            requireNonNull(host, "host");
            requireNonNull(database, "database");
            parameters = Map.copyOf(parameters);
        }

        private static Postgres parse(String rest) {
            int q = rest.indexOf('?');
            String query = q < 0 ? "" : rest.substring(q + 1);
            String address = q < 0 ? rest : rest.substring(0, q);
            int slash = address.indexOf('/');
            if (slash < 0 || slash == address.length() - 1) {
                throw new IllegalArgumentException("storage.ledger: postgresql:// needs a database name");
            }
            String authority = address.substring(0, slash);
            String database = decode(address.substring(slash + 1));
            Map<String, String> parameters = new LinkedHashMap<>();
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                String userInfo = authority.substring(0, at);
                authority = authority.substring(at + 1);
                int colon = userInfo.indexOf(':');
                parameters.put("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
                if (colon >= 0) {
                    parameters.put("password", decode(userInfo.substring(colon + 1)));
                }
            }
            for (String pair : query.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    parameters.put(decode(eq < 0 ? pair : pair.substring(0, eq)),
                            eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
            // [::1]:5432 keeps its brackets; the port is what follows the last colon outside them.
            int portColon = authority.lastIndexOf(':');
            if (portColon < authority.lastIndexOf(']')) {
                portColon = -1;
            }
            String host = portColon < 0 ? authority : authority.substring(0, portColon);
            if (host.isEmpty()) {
                throw new IllegalArgumentException("storage.ledger: postgresql:// needs a host");
            }
            int port = DEFAULT_PORT;
            if (portColon >= 0) {
                try {
                    port = Integer.parseInt(authority.substring(portColon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("storage.ledger: the PostgreSQL port is not a number");
                }
            }
            return new Postgres(host, port, database, parameters);
        }

        private static String decode(String part) {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        }

        @Override
        public SqlDialect dialect() {
            return SqlDialect.POSTGRESQL;
        }

        @Override
        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
        }

        @Override
        public Map<String, String> driverProperties() {
            Map<String, String> properties = new LinkedHashMap<>();
            // A dead server must not hold the writer for the driver's default of forever; a batch insert takes
            // milliseconds, so a minute without an answer means the connection is gone.
            properties.put("socketTimeout", "60");
            properties.put("tcpKeepAlive", "true");
            // One multi-row INSERT per batch instead of one round trip per row.
            properties.put("reWriteBatchedInserts", "true");
            properties.put("ApplicationName", "tollgate-ledger");
            properties.putAll(parameters);
            return properties;
        }

        @Override
        public String toString() {
            String schema = parameters.get("currentSchema");
            return "postgresql://" + host + ":" + port + "/" + database + (schema == null ? "" : " schema " + schema);
        }
    }
}
