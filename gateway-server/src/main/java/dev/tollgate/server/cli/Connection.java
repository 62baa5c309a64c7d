package dev.tollgate.server.cli;

import dev.tollgate.config.DurationSyntax;
import dev.tollgate.server.cli.Failure.BadUsage;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Where the admin API is, how long to wait for it, and the admin key: from the options and the environment.
 * Deliberately not a record, whose {@code toString} would print the key.
 */
final class Connection {
    static final String URL_ENV = "TOLLGATE_ADMIN_URL";
    static final String KEY_ENV = "TOLLGATE_ADMIN_KEY";
    static final String DEFAULT_URL = "http://127.0.0.1:8081";
    static final String DEFAULT_TIMEOUT = "10s";
    static final String HOW_TO_GIVE_THE_KEY = "set " + KEY_ENV + " in the environment, or pass --admin-key-file PATH "
            + "(a file holding only the key)";
    static final List<Option> OPTIONS = List.of(
            Option.value("--admin", "URL", "the admin API (default: $" + URL_ENV + ", else " + DEFAULT_URL + ")"),
            Option.value("--admin-key-file", "PATH", "a file holding the admin key (default: the key in $"
                    + KEY_ENV + ")"),
            Option.value("--timeout", "DURATION", "how long to wait for the gateway (default " + DEFAULT_TIMEOUT
                    + "; 500ms, 30s, 2m)"));

    private final URI base;
    private final String key;
    private final String keySource;
    private final Duration timeout;
    private final String timeoutText;

    private Connection(URI base, String key, String keySource, Duration timeout, String timeoutText) {
        this.base = base;
        this.key = key;
        this.keySource = keySource;
        this.timeout = timeout;
        this.timeoutText = timeoutText;
    }

    /**
     * Reads the connection options of {@code args}, falling back on {@code env} ({@code System::getenv} outside
     * tests). An explicit option wins over the environment.
     *
     * @throws BadUsage when the URL, the timeout or the key is missing or malformed
     */
    static Connection resolve(Arguments args, Function<String, String> env) {
        String url = args.value("--admin");
        String urlSource = "--admin";
        if (url == null) {
            url = nonBlank(env.apply(URL_ENV));
            urlSource = URL_ENV;
        }
        URI base = url == null ? URI.create(DEFAULT_URL) : base(url, urlSource);
        String timeoutText = args.has("--timeout") ? args.value("--timeout") : DEFAULT_TIMEOUT;
        Duration timeout;
        try {
            timeout = DurationSyntax.parse(timeoutText);
        } catch (IllegalArgumentException e) {
            throw new BadUsage("--timeout: " + e.getMessage());
        }
        if (timeout.isZero()) {
            throw new BadUsage("--timeout must be longer than 0");
        }
        String file = args.value("--admin-key-file");
        String key = file == null ? nonBlank(env.apply(KEY_ENV)) : readKey(file);
        if (key == null) {
            throw new BadUsage("no admin key: " + HOW_TO_GIVE_THE_KEY);
        }
        String keySource = file == null ? KEY_ENV : "--admin-key-file " + file;
        // A key with a space or control character would be refused by the HTTP client, in words that are no help.
        if (!key.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new BadUsage("the admin key in " + keySource + " has characters no key has (spaces, line breaks or"
                    + " other non-printing characters inside it)");
        }
        return new Connection(base, key, keySource, timeout, timeoutText);
    }

    private static URI base(String url, String source) {
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String hint = url.contains("://") ? "" : " (http://" + url + "?)";
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri != null && uri.getRawUserInfo() != null) {
            // Never echoed: user info may be a password. The admin key has its own, unprinted, channel.
            throw new BadUsage(source + " must not hold user info (user:password@); the admin key goes in "
                    + KEY_ENV + " or --admin-key-file");
        }
        if (uri == null || uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new BadUsage(source + " must be the admin API's http:// or https:// URL, such as " + DEFAULT_URL
                    + ", got '" + url + "'" + hint);
        }
        return uri;
    }

    /** The key the file holds, without surrounding whitespace; the file's content never goes into a message. */
    private static String readKey(String file) {
        String problem;
        try {
            String key = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            if (!key.isEmpty()) {
                return key;
            }
            problem = "is empty";
        } catch (InvalidPathException e) {
            problem = "is not a valid path";
        } catch (NoSuchFileException e) {
            problem = "does not exist";
        } catch (AccessDeniedException e) {
            problem = "cannot be read (permission denied)";
        } catch (MalformedInputException e) {
            problem = "is not a text file";
        } catch (IOException e) {
            problem = "cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        throw new BadUsage("--admin-key-file " + file + ": the file " + problem);
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The admin API's base URL, for messages: it holds no secret. */
    URI base() {
        return base;
    }

    /** {@code path} (and query) under the base URL: {@code /admin/keys} becomes {@code http://host:8081/admin/keys}. */
    URI uri(String path) {
        return URI.create(base + path);
    }

    String authorization() {
        return "Bearer " + key;
    }

    /** Where the key came from, for messages: the variable's or the file's name, never the key. */
    String keySource() {
        return keySource;
    }

    Duration timeout() {
        return timeout;
    }

    /** The timeout as the user wrote it (or the default), for messages. */
    String timeoutText() {
        return timeoutText;
    }
}
