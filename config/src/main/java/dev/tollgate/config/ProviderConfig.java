package dev.tollgate.config;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.routing.AwsCredentials;
import dev.tollgate.core.routing.Timeouts;
import dev.tollgate.core.runtime.MockProfile;
import dev.tollgate.core.runtime.Secret;
import dev.tollgate.core.spi.Header;
import java.net.URI;
import java.util.List;

/**
 * One entry of {@code providers} as written, with the type's defaults applied. In a config without problems,
 * {@code baseUrl} is set exactly when the type is not {@code mock}, {@code mock} exactly when it is, and {@code aws}
 * exactly when the type is AWS-signed; a value the file got wrong is null, and such a config is never compiled.
 * {@code toString} shows secrets by reference only.
 *
 * @param origin where the provider's entry starts
 * @param type null when missing or not a type the gateway serves
 * @param baseUrl as written, or the type's default
 * @param apiKey null when the provider needs none
 * @param authHeader as written, or the type's default
 * @param headers extra headers, values resolved (the record's {@code toString} hides them)
 * @param apiVersion null when not given: the adapter then uses its default
 * @param aws the signing credentials of a {@code bedrock} provider
 * @param mock how a {@code mock} provider behaves
 */
record ProviderConfig(
        String id,
        Origin origin,
        String type,
        URI baseUrl,
        Secret apiKey,
        String authHeader,
        List<Header> headers,
        Timeouts timeouts,
        String apiVersion,
        AwsCredentials aws,
        MockProfile mock) {
    /** The type that makes the gateway start a built-in mock server for the provider. */
    static final String MOCK = "mock";

    ProviderConfig {
        requireNonNull(id, "id");
        requireNonNull(origin, "origin");
        requireNonNull(authHeader, "authHeader");
        headers = List.copyOf(headers);
        requireNonNull(timeouts, "timeouts");
    }

    boolean isMock() {
        return MOCK.equals(type);
    }
}
