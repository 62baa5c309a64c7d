package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Binds the {@code providers} section: each entry's type (from the injected set of known types), where it lives,
 * how it authenticates, its timeouts, and for a {@code mock} provider the mock's behaviour. Which keys a provider
 * needs, takes or must not have depends on its type ({@link ProviderType}). Secrets are resolved here, so an unset
 * variable is reported at its line.
 */
final class ProvidersSection {
    static final Set<String> KEYS = Set.of(
            "type", "base_url", "api_key", "auth_header", "api_version", "region", "aws_access_key_id",
            "aws_secret_access_key", "aws_session_token", "headers", "timeouts", "mock");
    static final Set<String> TIMEOUT_KEYS = Set.of("connect", "first_byte", "idle", "overall");
    /** Provider ids: stable, lower-case, usable as metric labels and in deployment ids. */
    static final String ID_PATTERN = "^[a-z0-9][a-z0-9._-]*$";
    /** RFC 9110 field names ("token"). */
    static final String HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
    /** AWS region names: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}. */
    static final String REGION_PATTERN = "^[a-z]{2}(-[a-z]+)+-[0-9]+$";
    /** API versions as the providers write them ({@code 2024-10-21}, {@code 2025-04-01-preview}), safe in a URL. */
    static final String API_VERSION_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";
    static final String DEFAULT_AUTH_HEADER = "authorization";

    /** Headers the gateway's HTTP client writes itself: a configured value would break framing or routing. */
    static final Set<String> RESERVED_HEADERS = Set.of(
            "host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
            "proxy-connection");

    private static final Pattern ID = Pattern.compile(ID_PATTERN);
    private static final Pattern HEADER_NAME = Pattern.compile(HEADER_NAME_PATTERN);
    private static final Pattern REGION = Pattern.compile(REGION_PATTERN);
    private static final Pattern API_VERSION = Pattern.compile(API_VERSION_PATTERN);
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
        // A missing or unknown type has no rules: only the values' own syntax is checked, so that a misspelt type
        // is one problem and not also "required key is missing" for keys the intended type would not need.
        ProviderType type = type(p, problems);
        String apiVersion = apiVersion(p, type);
        String region = region(p, type);
        AwsCredentials aws = awsCredentials(p, type, region, problems);
        URI baseUrl = null;
        Secret apiKey = null;
        String authHeader = type == null ? DEFAULT_AUTH_HEADER : type.defaultAuthHeader();
        MockProfile mock = null;
        if (type != null && type.isMock()) {
            p.forbid("base_url", MOCK_ONLY);
            p.forbid("api_key", MOCK_ONLY);
            p.forbid("auth_header", MOCK_ONLY);
            mock = MockSection.bind(p.child("mock", MockSection.KEYS));
        } else {
            if (type != null) {
                p.forbid("mock", "unless type is mock");
            }
            baseUrl = baseUrl(p, type, region);
            if (type != null && type.awsSigned()) {
                String signed = "for type " + type.name()
                        + ": requests are signed with aws_access_key_id and aws_secret_access_key instead";
                p.forbid("api_key", signed);
                p.forbid("auth_header", signed);
            } else {
                apiKey = secrets.field(p, "api_key", problems);
                authHeader = p.parsed(
                        "auth_header", authHeader, ProvidersSection::headerName, "expected a header name");
                keyWarnings(p, type, problems);
            }
        }
        String keyHeader = apiKey == null ? null : authHeader;
        List<Header> headers = HeaderEntries.read(p, secrets, lower -> ownedHeader(lower, type, keyHeader), problems);
        Timeouts timeouts = timeouts(p.child("timeouts", TIMEOUT_KEYS));
        return new ProviderConfig(entry.key(), entry.origin(path), type == null ? null : type.name(), baseUrl, apiKey,
                authHeader, headers, timeouts, apiVersion, aws, mock);
    }

    /** The type's rules, or null (reported) when the type is missing or not one the gateway serves. */
    private ProviderType type(MappingReader p, Diagnostics problems) {
        String name = p.requiredString("type");
        if (name == null) {
            return null;
        }
        if (!types.contains(name)) {
            problems.error(p.origin("type"), "unknown provider type '" + name + "'"
                    + Suggestion.didYouMean(name, types) + "; known types: " + String.join(", ", new TreeSet<>(types)));
            return null;
        }
        return ProviderType.of(name);
    }

    /**
     * Whether {@code key} may be given for {@code type}, which it may for an unknown type; when it may not and is
     * given, the problem names the types that take it.
     */
    private static boolean takes(MappingReader p, String key, ProviderType type, Predicate<ProviderType> rule) {
        if (type == null || rule.test(type)) {
            return true;
        }
        p.forbid(key, "for type " + type.name() + ": " + key + " is for " + ProviderType.namesWhere(rule)
                + " providers only");
        return false;
    }

    private static String apiVersion(MappingReader p, ProviderType type) {
        if (!takes(p, "api_version", type, t -> t.apiVersion() != ProviderType.Presence.NOT_ALLOWED)) {
            return null;
        }
        if (type != null && type.apiVersion() == ProviderType.Presence.REQUIRED) {
            p.requirePresent("api_version");
        }
        return p.parsed("api_version", null, ProvidersSection::apiVersion, "expected an API version");
    }

    private static String region(MappingReader p, ProviderType type) {
        if (!takes(p, "region", type, ProviderType::awsSigned)) {
            return null;
        }
        if (type != null && type.awsSigned()) {
            p.requirePresent("region");
        }
        return p.parsed("region", null, ProvidersSection::region, "expected an AWS region");
    }

    /** The signing credentials of a bedrock provider; null for other types and when any part is unusable. */
    private AwsCredentials awsCredentials(MappingReader p, ProviderType type, String region, Diagnostics problems) {
        boolean accessKey = takes(p, "aws_access_key_id", type, ProviderType::awsSigned);
        boolean secretKey = takes(p, "aws_secret_access_key", type, ProviderType::awsSigned);
        boolean sessionToken = takes(p, "aws_session_token", type, ProviderType::awsSigned);
        if (!(accessKey && secretKey && sessionToken)) {
            return null;
        }
        if (type != null && type.awsSigned()) {
            p.requirePresent("aws_access_key_id");
            p.requirePresent("aws_secret_access_key");
        }
        Secret id = secrets.field(p, "aws_access_key_id", problems);
        Secret key = secrets.field(p, "aws_secret_access_key", problems);
        Secret session = secrets.field(p, "aws_session_token", problems);
        return id == null || key == null || region == null ? null : new AwsCredentials(id, key, session, region);
    }

    /** The base URL as written, else the type's default; null (reported) when required and missing. */
    private static URI baseUrl(MappingReader p, ProviderType type, String region) {
        if (type == null || p.has("base_url")) {
            return p.parsed("base_url", null, ProvidersSection::baseUrl, "expected an http or https URL");
        }
        if (type.defaultBaseUrl() == null) {
            p.requirePresent("base_url");
            return null;
        }
        return type.defaultBaseUrlIn(region);
    }

    /** Warnings about the key of a provider that is not AWS-signed: a missing one, or a header set for none. */
    private static void keyWarnings(MappingReader p, ProviderType type, Diagnostics problems) {
        if (p.has("api_key")) {
            return;
        }
        if (p.has("auth_header")) {
            problems.warn(p.keyOrigin("auth_header"), "has no effect without an api_key");
        }
        if (type != null && type.keyExpected()) {
            problems.warn(p.keyOrigin("api_key"), "is not set: " + type.name()
                    + " refuses calls without a key unless a proxy in between adds one");
        }
    }

    /**
     * Why a provider's {@code headers} may not set a header: {@code type} (null when unknown) writes it, or it is
     * {@code authHeader}, where the api key goes (null when there is no key); null when it may.
     */
    private static String ownedHeader(String lower, ProviderType type, String authHeader) {
        String owner = type == null ? null : type.ownedHeaders().get(lower);
        if (owner != null) {
            return "is written by the gateway for type " + type.name() + ": " + owner;
        }
        if (authHeader != null && lower.equals(authHeader.toLowerCase(Locale.ROOT))) {
            return "is where api_key goes (auth_header); set one or the other";
        }
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
        URI uri = HttpUrlSyntax.parse(text, "https://api.openai.com/v1", "credentials in api_key or headers");
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException("must not have a query (?...): the gateway appends API paths to it");
        }
        return uri;
    }

    /**
     * An AWS region name. Messages never repeat the value: next to the AWS keys, it may be one of them pasted a line
     * too high.
     */
    static String region(String text) {
        if (!REGION.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "expected an AWS region such as us-east-1 (lower-case letters, digits and '-')");
        }
        return text;
    }

    /**
     * An API version, which goes into a URL or a header. Messages never repeat the value, which may be a key pasted
     * into the wrong line.
     */
    static String apiVersion(String text) {
        if (!API_VERSION.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "expected an API version such as 2024-10-21 (letters, digits, '.', '_' and '-')");
        }
        return text;
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
