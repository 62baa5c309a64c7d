package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.DurationSyntax;
import dev.tollgate.config.HostPortSyntax;
import dev.tollgate.config.Validation;
import dev.tollgate.core.runtime.HostPort;
import dev.tollgate.core.runtime.ServerSettings;
import dev.tollgate.providers.ProviderRegistry;
import dev.tollgate.server.Tollgate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** A Tollgate config file a deployment runs: checked by the gateway's own loader, its ports and drain time read. */
record GatewayConfig(Path file, YamlTree tree, String text) {
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
    /** The documented defaults of server.shutdown_delay and server.shutdown_grace. */
    private static final String DEFAULT_SHUTDOWN_DELAY = "0s";
    private static final String DEFAULT_SHUTDOWN_GRACE = "30s";

    static GatewayConfig of(Path file) {
        return new GatewayConfig(file, YamlTree.load(file), YamlTree.read(file));
    }

    /** The variables its {@code ${env:NAME}} references name. */
    Set<String> envReferences() {
        var names = new TreeSet<String>();
        ENV_REFERENCE.matcher(text).results().forEach(m -> names.add(m.group(1)));
        return names;
    }

    /** Fails, listing every problem and warning, unless the loader accepts the file cleanly with {@code env}. */
    void assertValid(Map<String, String> env) {
        // Validation starts no mock provider: the loader never compiles in validate().
        var loader = new ConfigLoader(Tollgate.providerTypes(ProviderRegistry.standard()), env::get, (id, profile) -> {
            throw new IllegalStateException("validation starts no mock");
        });
        Validation result = loader.validate(file);
        assertThat(result.errors()).as("problems in %s", file).isEmpty();
        assertThat(result.warnings()).as("warnings about %s", file).isEmpty();
    }

    HostPort listen() {
        return address("listen", ServerSettings.DEFAULTS.listen());
    }

    HostPort adminListen() {
        return address("admin_listen", ServerSettings.DEFAULTS.adminListen());
    }

    /** How long a SIGTERM may take to end the process: shutdown_delay plus shutdown_grace. */
    Duration drainTime() {
        return serverDuration("shutdown_delay", DEFAULT_SHUTDOWN_DELAY)
                .plus(serverDuration("shutdown_grace", DEFAULT_SHUTDOWN_GRACE));
    }

    /** A value under {@code storage}, or null. */
    String storage(String key) {
        return tree.find("storage").flatMap(s -> s.find(key)).map(YamlTree::text).orElse(null);
    }

    private HostPort address(String key, HostPort fallback) {
        return tree.find("server").flatMap(s -> s.find(key)).map(v -> HostPortSyntax.parse(v.text())).orElse(fallback);
    }

    private Duration serverDuration(String key, String fallback) {
        return DurationSyntax.parse(tree.find("server").flatMap(s -> s.find(key)).map(YamlTree::text).orElse(fallback));
    }
}
