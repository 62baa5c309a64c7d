package dev.tollgate.server.exchange;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.upstream.UpstreamPools;
import java.util.function.Supplier;

/**
 * What every exchange on the proxy port uses; built once by {@code Main}.
 *
 * @param snapshot the current config; each request reads it once and keeps that one for its whole life
 * @param providers the adapters and the client dialects
 */
public record ExchangeServices(
        Supplier<RuntimeSnapshot> snapshot,
        ProviderRegistry providers,
        UpstreamPools upstreams,
        ExchangeReporter reporter) {
    public ExchangeServices {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(providers, "providers");
        requireNonNull(upstreams, "upstreams");
        requireNonNull(reporter, "reporter");
    }
}
