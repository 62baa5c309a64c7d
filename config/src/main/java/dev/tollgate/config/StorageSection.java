package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.runtime.StorageSettings;
import dev.tollgate.core.runtime.StorageSettings.OnStoreFailure;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds the {@code storage} section into {@link StorageSettings}. The ledger and Redis targets may carry a password,
 * so they take secret references, and no message repeats them. Targets come out normalized for the stores: the
 * ledger is {@code sqlite:<absolute path>} or {@code postgresql://...}, whichever of the accepted spellings the file
 * used; relative paths resolve against the config file's directory.
 */
final class StorageSection {
    static final Set<String> KEYS = Set.of(
            "ledger", "redis", "redis_prefix", "on_redis_failure", "spill_dir", "spill_max");
    static final Set<String> ON_FAILURE_KEYS = Set.of("limits", "budgets");
    /** Choices of {@code on_redis_failure} by the name the file uses. */
    static final Map<String, OnStoreFailure> ON_FAILURE;
    static final String DEFAULT_LEDGER = "sqlite:data/tollgate.db";
    static final String NO_LEDGER = "none";
    static final String DEFAULT_REDIS_PREFIX = "tollgate:";
    static final OnStoreFailure DEFAULT_LIMITS_ON_FAILURE = OnStoreFailure.LOCAL;
    static final OnStoreFailure DEFAULT_BUDGETS_ON_FAILURE = OnStoreFailure.FAIL_CLOSED;
    /** Where spilled rows go when the ledger is no SQLite file to sit next to. */
    static final Path DEFAULT_SPILL_DIR = Path.of("data", "spill");
    static final long DEFAULT_SPILL_MAX = 1L << 30;
    /** A smaller spill file would fill within seconds of an outage under load. */
    static final long MIN_SPILL_MAX = 1L << 20;

    private static final String SQLITE = "sqlite:";
    private static final String POSTGRESQL = "postgresql://";
    private static final List<String> POSTGRESQL_SPELLINGS = List.of(POSTGRESQL, "postgres://", "jdbc:postgresql://");
    private static final List<String> REDIS_SCHEMES = List.of("redis", "rediss");
    private static final String INLINE_PASSWORD =
            "the password is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it";

    static {
        var choices = new LinkedHashMap<String, OnStoreFailure>();
        choices.put("local", OnStoreFailure.LOCAL);
        choices.put("fail_closed", OnStoreFailure.FAIL_CLOSED);
        ON_FAILURE = Collections.unmodifiableMap(choices);
    }

    private final SecretReferences secrets;

    StorageSection(SecretReferences secrets) {
        this.secrets = requireNonNull(secrets, "secrets");
    }

    /** @param base the directory relative paths resolve against: the config file's */
    StorageSettings bind(MappingReader s, Path base, Diagnostics problems) {
        Secret ledger = ledger(s, base, problems);
        Secret redis = redis(s, problems);
        String prefix = s.has("redis_prefix")
                ? s.parsed("redis_prefix", DEFAULT_REDIS_PREFIX, StorageSection::redisPrefix, "expected a key prefix")
                : DEFAULT_REDIS_PREFIX;
        MappingReader onFailure = s.child("on_redis_failure", ON_FAILURE_KEYS);
        if (s.has("on_redis_failure") && !s.has("redis")) {
            problems.warn(s.keyOrigin("on_redis_failure"), "has no effect without redis");
        }
        Path spillDir = s.parsed("spill_dir", null, file -> path(file, base), "expected a directory path");
        if (spillDir == null) {
            spillDir = ledger != null && ledger.reveal().startsWith(SQLITE)
                    ? spillNextTo(Path.of(ledger.reveal().substring(SQLITE.length())))
                    : base.resolve(DEFAULT_SPILL_DIR);
        }
        return new StorageSettings(
                ledger,
                redis,
                prefix,
                onFailure(onFailure, "limits", DEFAULT_LIMITS_ON_FAILURE, problems),
                onFailure(onFailure, "budgets", DEFAULT_BUDGETS_ON_FAILURE, problems),
                spillDir,
                s.size("spill_max", DEFAULT_SPILL_MAX, MIN_SPILL_MAX, Long.MAX_VALUE));
    }

    /**
     * The spill directory of a SQLite ledger: named after its file ({@code data/tollgate.db.spill}), so two ledgers
     * in one directory (two gateways on one machine, say) never share a spill file.
     */
    static Path spillNextTo(Path database) {
        return database.resolveSibling(database.getFileName() + ".spill");
    }

    /** The ledger's target; null for {@code none}, and when unusable (reported). */
    private Secret ledger(MappingReader s, Path base, Diagnostics problems) {
        Secret written = s.has("ledger")
                ? resolved(s, "ledger", problems)
                : new Secret(SecretReferences.LITERAL, DEFAULT_LEDGER);
        if (written == null) {
            return null;
        }
        String target;
        try {
            target = ledgerTarget(written.reveal(), base);
        } catch (IllegalArgumentException e) {
            problems.error(s.origin("ledger"), e.getMessage());
            return null;
        }
        if (target == null || target.startsWith(SQLITE)) {
            // A file path holds nothing secret: show it in logs rather than "(literal)".
            return target == null ? null : new Secret(literal(written) ? target : written.reference(), target);
        }
        return shown(s, "ledger", written, URI.create(target), problems);
    }

    private Secret redis(MappingReader s, Diagnostics problems) {
        Secret written = resolved(s, "redis", problems);
        if (written == null) {
            return null;
        }
        try {
            return shown(s, "redis", written, redisUrl(written.reveal()), problems);
        } catch (IllegalArgumentException e) {
            problems.error(s.origin("redis"), e.getMessage());
            return null;
        }
    }

    /** The value under {@code key}, a reference resolved; null when absent or unusable. */
    private Secret resolved(MappingReader s, String key, Diagnostics problems) {
        String text = s.text(key);
        return text == null ? null : secrets.resolve(text, s.origin(key), problems);
    }

    private static boolean literal(Secret secret) {
        return secret.reference().equals(SecretReferences.LITERAL);
    }

    /**
     * A server URL as a secret that shows its reference, or when written inline, the URL without credentials or
     * query; an inline password is worth a warning.
     */
    private static Secret shown(MappingReader s, String key, Secret written, URI url, Diagnostics problems) {
        String value = url.toString();
        if (!literal(written)) {
            return new Secret(written.reference(), value);
        }
        String query = url.getRawQuery() == null ? "" : url.getRawQuery().toLowerCase(Locale.ROOT);
        if (url.getRawUserInfo() != null || query.contains("password=")) {
            problems.warn(s.origin(key), INLINE_PASSWORD);
        }
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return new Secret(url.getScheme() + "://" + url.getHost() + port + path, value);
    }

    /**
     * The ledger's target normalized: {@code sqlite:<absolute path>} or {@code postgresql://...}, null for
     * {@code none}. Messages never repeat the value: a database URL may hold a password.
     */
    static String ledgerTarget(String value, Path base) {
        if (value.equals(NO_LEDGER)) {
            return null;
        }
        if (value.startsWith(SQLITE)) {
            String file = value.substring(SQLITE.length());
            if (file.isBlank()) {
                throw new IllegalArgumentException("sqlite: needs a file path, such as sqlite:data/tollgate.db");
            }
            return SQLITE + path(file, base);
        }
        for (String spelling : POSTGRESQL_SPELLINGS) {
            if (value.startsWith(spelling)) {
                String url = POSTGRESQL + value.substring(spelling.length());
                serverUrl(url, "postgresql://host:5432/database?user=name");
                return url;
            }
        }
        throw new IllegalArgumentException("expected sqlite:<file> (sqlite:data/tollgate.db), "
                + "postgresql://host:5432/database?user=name, or none");
    }

    /** A Redis URL; messages never repeat it, since it may hold a password. */
    static URI redisUrl(String value) {
        int colon = value.indexOf("://");
        if (colon < 0 || !REDIS_SCHEMES.contains(value.substring(0, colon))) {
            throw new IllegalArgumentException("expected redis://host:6379 or rediss://host:6379 (TLS)");
        }
        URI url = serverUrl(value, "redis://host:6379");
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (!path.isEmpty() && !path.matches("/[0-9]{0,5}")) {
            throw new IllegalArgumentException(
                    "the path of a Redis URL is a database number, as in redis://host:6379/2");
        }
        return url;
    }

    /** A URL with a host and a valid port; {@code example} shows the expected shape. */
    private static URI serverUrl(String value, String example) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL (" + e.getReason() + " at index " + e.getIndex()
                    + "); expected " + example, e);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("has no valid host name; expected " + example);
        }
        if (url.getPort() > 65535) {
            throw new IllegalArgumentException("port " + url.getPort() + " is out of range 0..65535");
        }
        return url;
    }

    /**
     * A file or directory path, resolved against {@code base} when relative. An empty one is refused: it would
     * resolve to {@code base} itself, which is never what was meant.
     */
    static Path path(String text, Path base) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("a path cannot be empty");
        }
        try {
            return base.resolve(Path.of(text)).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getReason(), e);
        }
    }

    /** A Redis key prefix: printable, without spaces, since it starts every key an operator may type in redis-cli. */
    static String redisPrefix(String text) {
        if (text.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("a key prefix cannot contain spaces or control characters");
        }
        return text;
    }

    private static OnStoreFailure onFailure(MappingReader m, String key, OnStoreFailure fallback,
            Diagnostics problems) {
        String name = m.string(key);
        if (name == null) {
            return fallback;
        }
        OnStoreFailure choice = ON_FAILURE.get(name);
        if (choice == null) {
            problems.error(m.origin(key), "unknown choice '" + name + "'"
                    + Suggestion.didYouMean(name, ON_FAILURE.keySet())
                    + "; expected " + String.join(" or ", ON_FAILURE.keySet()));
            return fallback;
        }
        return choice;
    }
}
