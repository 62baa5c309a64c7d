package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One configured upstream account.
 *
 * @param id the name in config
 * @param type which adapter speaks to it
 * @param baseUrl where its API lives, from config only (for example {@code https://api.openai.com/v1})
 * @param apiKey null for servers that need none (a local vLLM)
 * @param authHeader the header the key goes in ({@code authorization} gets a {@code Bearer} prefix)
 * @param headers extra headers sent on every call (organisation ids, gateway tokens)
 * @param apiVersion the API version requests name (Azure's {@code api-version}, Anthropic's
 *     {@code anthropic-version}); null for the adapter's default
 * @param aws request-signing credentials for providers on AWS; null elsewhere
 */
public record Provider(
        String id, String type, URI baseUrl, Secret apiKey, String authHeader, List<Header> headers, Timeouts timeouts,
        String apiVersion, AwsCredentials aws) {
    private static final int MAX_RESOLVED = 4096;
    /** Parsed URLs by their text, shared by every provider: see {@link #resolve}. */
    private static final ConcurrentHashMap<String, URI> RESOLVED = new ConcurrentHashMap<>();

    public Provider {
        requireNonNull(id, "id");
        requireNonNull(type, "type");
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(authHeader, "authHeader");
        headers = List.copyOf(headers);
        requireNonNull(timeouts, "timeouts");
    }

    /** The headers that authenticate a call: the key in its header, then the extra headers. */
    public List<Header> authHeaders() {
        if (apiKey == null) {
            return headers;
        }
        String value = authHeader.equalsIgnoreCase("authorization") ? "Bearer " + apiKey.reveal() : apiKey.reveal();
        var all = new java.util.ArrayList<Header>(headers.size() + 1);
        all.add(new Header(authHeader, value));
        all.addAll(headers);
        return all;
    }

    /**
     * {@code baseUrl} with {@code path} appended ({@code path} starts with a slash). Called for every request:
     * the URLs are few (base URLs and paths come from config) and parsing one costs more than the rest of building
     * the call, so each is parsed once and kept, up to {@value #MAX_RESOLVED}.
     */
    public URI resolve(String path) {
        String base = baseUrl.toString();
        String text = base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path;
        URI uri = RESOLVED.get(text);
        if (uri == null) {
            uri = URI.create(text);
            if (RESOLVED.size() < MAX_RESOLVED) {
                RESOLVED.putIfAbsent(text, uri);
            }
        }
        return uri;
    }
}
