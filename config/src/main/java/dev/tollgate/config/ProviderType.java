package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the config knows about one provider type: where its API lives when the file does not say, which header its
 * key goes in, whether it takes an API version, and whether it authenticates with an api key or AWS signatures.
 * Which types a gateway can serve is injected by the server; this table only gives each its rules.
 *
 * @param name the {@code type} value
 * @param defaultBaseUrl the base URL when the file gives none; null when {@code base_url} is required. Contains
 *     {@value #REGION_PLACEHOLDER} for a URL that depends on the region
 * @param defaultAuthHeader the header the key goes in when the file gives no {@code auth_header}
 * @param apiVersion whether {@code api_version} is required, optional or not allowed
 * @param keyExpected whether a provider without an {@code api_key} is worth a warning: the public API refuses calls
 *     without one, unlike a local OpenAI-compatible server
 * @param awsSigned whether requests are signed with AWS credentials ({@code region}, {@code aws_*}) instead of
 *     carrying an api key
 * @param ownedHeaders headers (lower-case) the adapter writes itself for this type, each with the reason a configured
 *     one would clash
 */
record ProviderType(
        String name,
        String defaultBaseUrl,
        String defaultAuthHeader,
        Presence apiVersion,
        boolean keyExpected,
        boolean awsSigned,
        Map<String, String> ownedHeaders) {
    static final String REGION_PLACEHOLDER = "{region}";

    /** Whether a key must, may or must not be given. */
    enum Presence {
        REQUIRED, OPTIONAL, NOT_ALLOWED
    }

    /** The rules of every type this module knows, in documentation order. */
    static final Map<String, ProviderType> KNOWN;

    static {
        String signed = "it is part of the AWS request signature";
        var known = new LinkedHashMap<String, ProviderType>();
        for (ProviderType type : List.of(
                generic("openai"),
                new ProviderType("azure-openai", null, "api-key", Presence.REQUIRED, true, false, Map.of()),
                new ProviderType("anthropic", "https://api.anthropic.com", "x-api-key", Presence.OPTIONAL, true, false,
                        Map.of("anthropic-version", "set api_version instead")),
                new ProviderType("gemini", "https://generativelanguage.googleapis.com/v1beta", "x-goog-api-key",
                        Presence.NOT_ALLOWED, true, false, Map.of()),
                // Bedrock sends no key, so its auth header is never used; the signature goes in authorization.
                new ProviderType("bedrock", "https://bedrock-runtime." + REGION_PLACEHOLDER + ".amazonaws.com",
                        ProvidersSection.DEFAULT_AUTH_HEADER, Presence.NOT_ALLOWED, false, true, Map.of(
                                "authorization", signed, "x-amz-date", signed, "x-amz-security-token", signed)),
                generic(ProviderConfig.MOCK))) {
            known.put(type.name(), type);
        }
        KNOWN = Collections.unmodifiableMap(known);
    }

    ProviderType {
        requireNonNull(name, "name");
        requireNonNull(defaultAuthHeader, "defaultAuthHeader");
        requireNonNull(apiVersion, "apiVersion");
        ownedHeaders = Map.copyOf(ownedHeaders);
    }

    /**
     * The rules of {@code name}. A type the server serves but this table lacks gets OpenAI's rules: a required
     * {@code base_url} and a Bearer key, which is what an OpenAI-compatible adapter needs.
     */
    static ProviderType of(String name) {
        ProviderType known = KNOWN.get(name);
        return known != null ? known : generic(name);
    }

    private static ProviderType generic(String name) {
        return new ProviderType(
                name, null, ProvidersSection.DEFAULT_AUTH_HEADER, Presence.NOT_ALLOWED, false, false, Map.of());
    }

    /** The known types that {@code rule} holds for, as prose: {@code "anthropic and azure-openai"}. */
    static String namesWhere(Predicate<ProviderType> rule) {
        List<String> names = KNOWN.values().stream().filter(rule).map(ProviderType::name).sorted().toList();
        if (names.size() < 2) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }

    boolean isMock() {
        return name.equals(ProviderConfig.MOCK);
    }

    /**
     * The base URL of a provider in {@code region} (null when none is given) that sets no {@code base_url}: null
     * when the type has no default, or when its default depends on a region that is missing.
     */
    URI defaultBaseUrlIn(String region) {
        if (defaultBaseUrl == null) {
            return null;
        }
        if (!defaultBaseUrl.contains(REGION_PLACEHOLDER)) {
            return URI.create(defaultBaseUrl);
        }
        return region == null ? null : URI.create(defaultBaseUrl.replace(REGION_PLACEHOLDER, region));
    }
}
