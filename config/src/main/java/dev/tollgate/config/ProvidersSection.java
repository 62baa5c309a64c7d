package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Binds the {@code providers} section: each entry's type (from the injected set of known types), where it lives,
 * how it authenticates, its timeouts, and for a {@code mock} provider the mock's behaviour. Secrets are resolved
 * here, so an unset variable is reported at its line.
 */
final class ProvidersSection {
    static final Set<String> KEYS = Set.of("type", "base_url", "api_key", "auth_header", "headers", "timeouts", "mock");
    static final Set<String> TIMEOUT_KEYS = Set.of("connect", "first_byte", "idle", "overall");
    /** Provider ids: stable, lower-case, usable as metric labels and in deployment ids. */
    static final String ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$";
    /** RFC 9110 field names ("token"). */
    static final String HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
    static final String DEFAULT_AUTH_HEADER = "authorization";

    /** Headers the gateway's HTTP client writes itself: a configured value would break framing or routing. */
    static final Set<String> RESERVED_HEADERS = Set.of(
            "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
            "proxy-connection");

    private static final Pattern ID = Pattern.compile(ID_PATTERN);
    private static final Pattern HEADER_NAME = Pattern.compile(HEADER_NAME_PATTERN);
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    private static final String MOCK_ONLY = "for a mock provider: the gateway runs the mock server itself";

    private final Set<String> types;
    private final SecretReferences secrets;

    /** @param types the provider types the gateway has adapters for, {@code mock} included when it is built in */
    ProvidersSection(Set<String> types, SecretReferences secrets) {
        this.types = Set.copyOf(types);
        this.secrets = requireNonNull(secrets, "secrets");
    }

    Map<String, ProviderConfig> bind(List<YamlNode.Entry> entries, String path, Diagnostics problems) {
        var providers = new LinkedHashMap<String, ProviderConfig>();
        for (YamlNode.Entry entry : entries) {
            providers.put(entry.key(), provider(entry, Origin.keyPath(path, entry.key()), problems));
        }
        return providers;
    }

    private ProviderConfig provider(YamlNode.Entry entry, String path, Diagnostics problems) {
        if (!ID.matcher(entry.key()).matches()) {
            problems.error(entry.origin(path), "provider id '" + entry.key()
                    + "' must start with a lower-case letter or digit and use only a-z, 0-9, '.', '_' and '-'");
        }
        MappingReader p = MappingReader.of(entry.value(), path, KEYS, problems);
        String type = p.requiredString("type");
        if (type != null && !types.contains(type)) {
            problems.error(p.origin("type"), "unknown provider type '" + type + "'"
                    + Suggestion.didYouMean(type, types) + "; known types: " + String.join(", ", new TreeSet<>(types)));
        }
        URI baseUrl = null;
        Secret apiKey = null;
        String authHeader = DEFAULT_AUTH_HEADER;
        MockProfile mock = null;
        if (ProviderConfig.MOCK.equals(type)) {
            p.forbid("base_url", MOCK_ONLY);
            p.forbid("api_key", MOCK_ONLY);
            p.forbid("auth_header", MOCK_ONLY);
            mock = MockSection.bind(p.child("mock", MockSection.KEYS));
        } else {
            p.forbid("mock", "unless type is mock");
            p.requirePresent("base_url");
            baseUrl = p.parsed("base_url", null, ProvidersSection::baseUrl, "expected an http or https URL");
            apiKey = apiKey(p, problems);
            authHeader = p.parsed("auth_header", DEFAULT_AUTH_HEADER, ProvidersSection::headerName,
                    "expected a header name");
            if (p.has("auth_header") && !p.has("api_key")) {
                problems.warn(p.keyOrigin("auth_header"), "has no effect without an api_key");
            }
        }
        List<Header> headers = headers(p, apiKey == null ? null : authHeader, problems);
        Timeouts timeouts = timeouts(p.child("timeouts", TIMEOUT_KEYS));
        return new ProviderConfig(entry.key(), entry.origin(path), type, baseUrl, apiKey, authHeader, headers,
                timeouts, mock);
    }

    private Secret apiKey(MappingReader p, Diagnostics problems) {
        String text = p.text("api_key");
        if (text == null) {
            return null;
        }
        Secret key = secrets.resolve(text, p.origin("api_key"), problems);
        if (key != null && key.reference().equals(SecretReferences.LITERAL)) {
            problems.warn(p.origin("api_key"),
                    "the key is written in the file; use ${env:NAME} or ${file:/path} to keep it out of it");
        }
        return key;
    }

    /** Extra headers. {@code authHeader} is the header the api key goes in, null when there is no key. */
    private List<Header> headers(MappingReader p, String authHeader, Diagnostics problems) {
        var headers = new ArrayList<Header>();
        var seen = new HashMap<String, String>();
        for (YamlNode.Entry entry : p.entries("headers")) {
            String path = Origin.keyPath(p.path("headers"), entry.key());
            String name = entry.key();
            String lower = name.toLowerCase(Locale.ROOT);
            try {
                headerName(name);
            } catch (IllegalArgumentException e) {
                problems.error(entry.origin(path), e.getMessage());
                continue;
            }
            if (authHeader != null && lower.equals(authHeader.toLowerCase(Locale.ROOT))) {
                problems.error(entry.origin(path),
                        "header " + name + " is where api_key goes (auth_header); set one or the other");
                continue;
            }
            String earlier = seen.putIfAbsent(lower, name);
            if (earlier != null) {
                problems.error(entry.origin(path),
                        "header " + name + " repeats " + earlier + " (header names ignore case)");
                continue;
            }
            String value = headerValue(entry.value(), path, problems);
            Secret secret = value == null ? null : secrets.resolve(value, entry.value().origin(path), problems);
            if (secret != null) {
                headers.add(new Header(name, secret.reveal()));
            }
        }
        return headers;
    }

    /** The header value's text; never quoted in a message, since it may be a secret. */
    private static String headerValue(YamlNode node, String path, Diagnostics problems) {
        if (node instanceof YamlNode.Scalar scalar && scalar.kind() != YamlNode.Kind.NULL) {
            return scalar.text();
        }
        problems.error(node.origin(path), "expected a string, got " + node.kindName());
        return null;
    }

    private static Timeouts timeouts(MappingReader t) {
        Timeouts d = Timeouts.DEFAULTS;
        return new Timeouts(
                t.duration("connect", d.connect(), MIN_TIMEOUT),
                t.duration("first_byte", d.firstByte(), MIN_TIMEOUT),
                t.duration("idle", d.idle(), MIN_TIMEOUT),
                t.duration("overall", d.overall(), MIN_TIMEOUT));
    }

    /**
     * An upstream base URL: absolute http or https, with a host, and without user info, query or fragment (the
     * gateway appends API paths to it). Messages never repeat the URL: its user info could be a password.
     */
    static URI baseUrl(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getReason() + " at index " + e.getIndex(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException(
                    "expected an absolute http or https URL, such as https://api.openai.com/v1");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not contain user info; put credentials in api_key or headers");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("has no valid host name");
        }
        if (uri.getPort() > 65535) {
            throw new IllegalArgumentException("port " + uri.getPort() + " is out of range 0..65535");
        }
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException("must not have a query (?...): the gateway appends API paths to it");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a fragment (#...)");
        }
        return uri;
    }

    /** A header name the gateway may send: an RFC 9110 token and not one the HTTP client owns. */
    static String headerName(String name) {
        if (!HEADER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid HTTP header name");
        }
        if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header " + name + " is set by the gateway itself");
        }
        return name;
    }
}
