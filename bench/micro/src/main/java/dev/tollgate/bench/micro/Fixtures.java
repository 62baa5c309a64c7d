package dev.tollgate.bench.micro;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.LoadResult;
import dev.tollgate.core.routing.Deployment;
import dev.tollgate.core.runtime.RuntimeSnapshot;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.Tollgate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the benchmarks share: the files under this package's resources, and the config they describe compiled into a
 * {@link RuntimeSnapshot} by the gateway's own loader, so deployments, keys, teams, budgets and prices are the
 * objects a running gateway would hold.
 */
final class Fixtures {
    private static final String CONFIG = "gateway.yaml";
    /** The secrets {@code gateway.yaml} references; nothing is ever sent with them. */
    private static final Map<String, String> ENV = Map.of(
            "OPENAI_API_KEY", "sk-bench-not-a-key",
            "ANTHROPIC_API_KEY", "sk-ant-bench-not-a-key");

    private Fixtures() {}

    /** The bytes of a resource next to this class. */
    static byte[] resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing benchmark resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code gateway.yaml}, loaded and compiled with the provider types of the standard build. */
    static RuntimeSnapshot snapshot() {
        var loader = new ConfigLoader(Tollgate.providerTypes(ProviderRegistry.standard()), ENV::get,
                (id, profile) -> {
                    throw new IllegalStateException("the benchmark config has no mock provider: " + id);
                });
        String yaml = new String(resource(CONFIG), StandardCharsets.UTF_8);
        return switch (loader.parse(CONFIG, yaml)) {
            case LoadResult.Loaded loaded -> loaded.snapshot();
            case LoadResult.Invalid invalid -> throw new IllegalStateException(CONFIG + " is invalid: "
                    + invalid.problems());
        };
    }

    /** The one deployment of a model group of {@code snapshot}. */
    static Deployment deployment(RuntimeSnapshot snapshot, String model) {
        return snapshot.models().get(model).deployments().getFirst();
    }
}
